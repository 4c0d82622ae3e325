//! Property tests: semver and Go-version comparison are total orders consistent with
//! canonical equality, and sorting agrees with them.

use godrift::semver::{self, gover};
use proptest::prelude::*;
use std::cmp::Ordering;

fn version() -> impl Strategy<Value = String> {
    let num = prop_oneof![Just("0".to_string()), "[1-9][0-9]{0,2}"];
    let ident = prop_oneof!["[0-9A-Za-z-]{1,4}", "(0|[1-9][0-9]{0,2})"];
    let pre = prop::collection::vec(ident.clone(), 0..3);
    let build = prop::collection::vec("[0-9A-Za-z-]{1,4}", 0..2);
    (num.clone(), num.clone(), num, pre, build, 0..4u8).prop_map(|(a, b, c, pre, build, form)| {
        let mut v = match form {
            0 => format!("v{a}"),
            1 => format!("v{a}.{b}"),
            _ => format!("v{a}.{b}.{c}"),
        };
        if form >= 2 && !pre.is_empty() {
            v.push('-');
            v.push_str(&pre.join("."));
        }
        if form >= 2 && !build.is_empty() {
            v.push('+');
            v.push_str(&build.join("."));
        }
        if form == 3 {
            v.push('x'); // sometimes invalid
        }
        v
    })
}

proptest! {
    #[test]
    fn compare_is_a_total_order(a in version(), b in version(), c in version()) {
        prop_assert_eq!(semver::compare(&a, &b), semver::compare(&b, &a).reverse());
        prop_assert_eq!(semver::compare(&a, &a), Ordering::Equal);
        if semver::compare(&a, &b) != Ordering::Greater && semver::compare(&b, &c) != Ordering::Greater {
            prop_assert_ne!(semver::compare(&a, &c), Ordering::Greater);
        }
        // Equal exactly when canonical forms agree (both invalid counts as equal).
        prop_assert_eq!(
            semver::compare(&a, &b) == Ordering::Equal,
            semver::canonical(&a) == semver::canonical(&b)
        );
    }

    #[test]
    fn sort_agrees_with_compare(mut list in prop::collection::vec(version(), 0..20)) {
        semver::sort(&mut list);
        for w in list.windows(2) {
            prop_assert_ne!(semver::compare(&w[0], &w[1]), Ordering::Greater);
        }
    }

    #[test]
    fn gover_is_a_total_order(
        a in "1\\.(1[6-9]|2[0-9])(\\.[0-9]|rc[1-3]|beta[12])?",
        b in "1\\.(1[6-9]|2[0-9])(\\.[0-9]|rc[1-3]|beta[12])?",
        c in "1\\.(1[6-9]|2[0-9])(\\.[0-9]|rc[1-3]|beta[12])?",
    ) {
        prop_assert_eq!(gover::compare(&a, &b), gover::compare(&b, &a).reverse());
        if gover::compare(&a, &b) != Ordering::Greater && gover::compare(&b, &c) != Ordering::Greater {
            prop_assert_ne!(gover::compare(&a, &c), Ordering::Greater);
        }
        prop_assert!(gover::is_valid(&a));
    }
}

// ---- Model-based checks: an independent SemVer 2.0 precedence model, pseudo-versions
// relative to their base, and no panics on arbitrary input.

/// A prerelease identifier in the model: numeric ones compare by value.
#[derive(Clone, Debug)]
enum Ident {
    Num(u64),
    Alpha(String),
}

impl Ident {
    fn text(&self) -> String {
        match self {
            Ident::Num(n) => n.to_string(),
            Ident::Alpha(s) => s.clone(),
        }
    }
}

#[derive(Clone, Debug)]
struct Model {
    major: u64,
    minor: u64,
    patch: u64,
    /// 0: `vM`, 1: `vM.m`, 2: full (only full may carry pre/build).
    shape: u8,
    pre: Vec<Ident>,
    build: Vec<String>,
}

impl Model {
    fn text(&self) -> String {
        match self.shape {
            0 => format!("v{}", self.major),
            1 => format!("v{}.{}", self.major, self.minor),
            _ => {
                let mut s = format!("v{}.{}.{}", self.major, self.minor, self.patch);
                if !self.pre.is_empty() {
                    let ids: Vec<String> = self.pre.iter().map(Ident::text).collect();
                    s = format!("{s}-{}", ids.join("."));
                }
                if !self.build.is_empty() {
                    s = format!("{s}+{}", self.build.join("."));
                }
                s
            }
        }
    }

    fn key(&self) -> (u64, u64, u64) {
        match self.shape {
            0 => (self.major, 0, 0),
            1 => (self.major, self.minor, 0),
            _ => (self.major, self.minor, self.patch),
        }
    }

    fn pre(&self) -> &[Ident] {
        if self.shape == 2 {
            &self.pre
        } else {
            &[]
        }
    }
}

/// SemVer 2.0 precedence, written from the spec independently of the crate.
fn model_cmp(a: &Model, b: &Model) -> Ordering {
    a.key().cmp(&b.key()).then_with(|| {
        let (pa, pb) = (a.pre(), b.pre());
        match (pa.is_empty(), pb.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                for (x, y) in pa.iter().zip(pb) {
                    let c = match (x, y) {
                        (Ident::Num(m), Ident::Num(n)) => m.cmp(n),
                        (Ident::Num(_), Ident::Alpha(_)) => Ordering::Less,
                        (Ident::Alpha(_), Ident::Num(_)) => Ordering::Greater,
                        (Ident::Alpha(s), Ident::Alpha(t)) => s.cmp(t),
                    };
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                pa.len().cmp(&pb.len())
            }
        }
    })
}

fn ident() -> impl Strategy<Value = Ident> {
    prop_oneof![
        (0u64..20).prop_map(Ident::Num),
        any::<u64>().prop_map(Ident::Num),
        // Contains a letter or hyphen, so it is not numeric.
        "[a-c-]{0,2}[a-cA-Z-][0-9a-c]{0,2}".prop_map(Ident::Alpha),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    (
        prop_oneof![0u64..4, any::<u64>()],
        prop_oneof![0u64..4, any::<u64>()],
        0u64..4,
        0u8..3,
        prop::collection::vec(ident(), 0..3),
        prop::collection::vec("[0-9a-zA-Z-]{1,3}", 0..2),
    )
        .prop_map(|(major, minor, patch, shape, pre, build)| Model {
            major,
            minor,
            patch,
            shape,
            pre,
            build,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compare_matches_semver_precedence_model(a in model(), b in model()) {
        let (x, y) = (a.text(), b.text());
        prop_assert!(semver::is_valid(&x), "{}", x);
        prop_assert_eq!(semver::compare(&x, &y), model_cmp(&a, &b), "{} vs {}", x, y);
        // Equal exactly when the canonical forms are equal.
        prop_assert_eq!(
            semver::compare(&x, &y) == Ordering::Equal,
            semver::canonical(&x) == semver::canonical(&y)
        );
    }

    #[test]
    fn pseudo_version_sits_between_base_and_next(m in model(), rev in "[0-9a-f]{12}",
        ts in "20[0-2][0-9](0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]") {
        use godrift::semver::pseudo;
        let older = m.text();
        let pv = pseudo::pseudo_version("", &older, &ts, &rev);
        prop_assert!(pseudo::is_pseudo_version(&pv), "{}", pv);
        prop_assert_eq!(semver::compare(&older, &pv), Ordering::Less, "{} < {}", older, pv);
        prop_assert_eq!(pseudo::pseudo_version_time(&pv), Ok(ts.clone()));
        prop_assert_eq!(pseudo::pseudo_version_rev(&pv), Ok(rev.clone()));
        let mut base = semver::canonical(&older);
        base.push_str(&semver::build(&older));
        prop_assert_eq!(pseudo::pseudo_version_base(&pv), Ok(base));
        if semver::prerelease(&older).is_empty() {
            // vX.Y.(Z+1)-0.… is below the release vX.Y.(Z+1).
            let next = pv.split('-').next().unwrap_or("").to_string();
            prop_assert_eq!(semver::compare(&pv, &next), Ordering::Less);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Bad input never panics: every entry point on arbitrary strings.
    #[test]
    fn arbitrary_strings_never_panic(a in any::<String>(), b in "[-v0-9.+a-z!/*?\\[\\]^\\\\,]{0,16}") {
        use godrift::module;
        use godrift::semver::pseudo;
        for x in [a.as_str(), b.as_str()] {
            let _ = (semver::is_valid(x), semver::canonical(x), semver::major(x), semver::major_minor(x));
            let _ = (semver::prerelease(x), semver::build(x), semver::compare(x, &b));
            let _ = (pseudo::is_pseudo_version(x), pseudo::pseudo_version_base(x));
            let _ = (pseudo::pseudo_version_rev(x), pseudo::pseudo_version_time(x));
            let _ = pseudo::pseudo_version(x, x, x, x);
            let _ = (gover::compare(x, &b), gover::lang(x), gover::from_toolchain(x));
            let _ = (module::check_path(x), module::check_import_path(x), module::check_file_path(x));
            let _ = (module::escape_path(x), module::unescape_path(x));
            let _ = (module::escape_version(x), module::unescape_version(x));
            let pm = module::split_path_version(x).map(|(_, m)| m).unwrap_or("");
            let _ = (module::check_path_major(x, pm), module::check_path_major(&b, x));
            let _ = module::check(x, &b);
            let _ = (module::match_prefix_patterns(x, &a), module::path_match(x, &a), module::path_match(&b, x));
        }
    }
}
