//! Go toolchain/language versions as used on `go` and `toolchain` lines
//! (go/version, cmd/go/internal/gover): `1.21 < 1.21rc1 < 1.21.0`; a go.mod with no
//! `go` line means 1.16. (Contract stub.)
