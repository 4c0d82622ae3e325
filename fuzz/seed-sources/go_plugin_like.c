/* A tiny ELF shared object shaped like a Go plugin for the `binary` fuzz target's seeds:
 * exported 8-byte package hashes (go:link.pkghashbytes.<pkg>), hash strings referenced by
 * dynamic relocations from a pkghashes-like array (go:link.pkghash.<pkg>), and a Go 1.18+
 * .go.buildinfo section (writable, as Go's) with inline strings, or with -DOLD_BUILDINFO the
 * Go <= 1.17 layout: pointers to string headers, resolvable only in a non-PIE executable.
 * Built by fuzz/seed-sources/build-binary-seeds.sh.
 */
#define EXPORT __attribute__((visibility("default"), used))

EXPORT const unsigned char hb_fmt[8] __asm__("\"go:link.pkghashbytes.fmt\"") = {1, 2, 3, 4, 5, 6, 7, 8};
EXPORT const unsigned char hb_lib[8] __asm__("\"go:link.pkghashbytes.example.com/lib\"") = {9, 9, 9, 9, 0, 0, 0, 1};
EXPORT const char hs_fmt[] __asm__("\"go:link.pkghash.fmt\"") = "0102030405060708";
EXPORT const char hs_lib[] __asm__("\"go:link.pkghash.example.com/lib\"") = "0909090900000001";

/* Pointers to the hash strings: dynamic relocations against the exported symbols. */
EXPORT const char *const pkghashes[] = {hs_lib, hs_fmt};

#define MODINFO                                                                    \
    "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6"                       \
    "path\texample.com/plugins/one\n"                                              \
    "mod\texample.com/plugins/one\t(devel)\t\n"                                    \
    "dep\texample.com/lib\tv1.2.0\th1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\n" \
    "=>\t../lib\t\t\n"                                                             \
    "build\t-buildmode=plugin\n"                                                   \
    "build\t-compiler=gc\n"                                                        \
    "build\t-trimpath=true\n"                                                      \
    "build\tCGO_ENABLED=1\n"                                                       \
    "build\tGOARCH=amd64\n"                                                        \
    "\xf9\x32\x43\x31\x86\x18\x20\x72\x00\x82\x42\x10\x41\x16\xd8\xf2"

#ifndef OLD_BUILDINFO
struct buildinfo {
    char magic[14];
    unsigned char ptrsize, flags;
    unsigned char pad[16];
    unsigned char vlen;
    char version[8];
    unsigned char mlen[2];
    char modinfo[sizeof(MODINFO) - 1];
};

EXPORT __attribute__((section(".go.buildinfo"), aligned(16))) struct buildinfo bi = {
    "\xff Go buildinf:", 8, 2, {0}, 8, "go1.22.5",
    {(sizeof(MODINFO) - 1) % 128 | 0x80, (sizeof(MODINFO) - 1) / 128}, MODINFO};
#else
struct gostring {
    const char *p;
    long n;
};
static const struct gostring version = {"go1.16.15", 9};
static const struct gostring modinfo = {MODINFO, sizeof(MODINFO) - 1};

struct buildinfo {
    char magic[14];
    unsigned char ptrsize, flags;
    const struct gostring *version, *modinfo;
};

EXPORT __attribute__((section(".go.buildinfo"), aligned(16))) struct buildinfo bi = {
    "\xff Go buildinf:", 8, 0, &version, &modinfo};
#endif
