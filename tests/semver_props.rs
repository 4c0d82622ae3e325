//! Property tests: semver and Go-version ordering are total orders consistent
//! with canonical equality and with an independent model of SemVer precedence;
//! sorting is deterministic; pseudo-versions sit between their base and the next tag.

use godrift::semver::{self, gover, pseudo};
use proptest::prelude::*;
use std::cmp::Ordering;

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

/// Valid versions and near-misses (bad shapes, leading zeros, empty identifiers).
fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => model().prop_map(|m| m.text()),
        1 => "v?[0-9]{0,2}(\\.[0-9]{0,2}){0,3}(-[0-9a-z.]{0,4})?(\\+[0-9a-z.]{0,3})?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compare_matches_semver_precedence(a in model(), b in model()) {
        let (x, y) = (a.text(), b.text());
        prop_assert!(semver::is_valid(&x), "{}", x);
        prop_assert_eq!(semver::compare(&x, &y), model_cmp(&a, &b), "{} vs {}", x, y);
    }

    #[test]
    fn compare_is_a_total_order(a in version(), b in version(), c in version()) {
        prop_assert_eq!(semver::compare(&a, &a), Ordering::Equal);
        prop_assert_eq!(semver::compare(&a, &b), semver::compare(&b, &a).reverse());
        let mut v = [a.clone(), b.clone(), c.clone()];
        v.sort_by(|x, y| semver::compare(x, y));
        prop_assert_ne!(semver::compare(&v[0], &v[2]), Ordering::Greater);
        // Transitivity in every arrangement.
        for (x, y, z) in [(&a, &b, &c), (&b, &c, &a), (&c, &a, &b)] {
            if semver::compare(x, y) != Ordering::Greater && semver::compare(y, z) != Ordering::Greater {
                prop_assert_ne!(semver::compare(x, z), Ordering::Greater, "{} {} {}", x, y, z);
            }
        }
    }

    #[test]
    fn equality_is_canonical_equality(a in version(), b in version()) {
        let eq = semver::compare(&a, &b) == Ordering::Equal;
        prop_assert_eq!(eq, semver::canonical(&a) == semver::canonical(&b), "{} vs {}", a, b);
        // A canonical form is valid, canonical and equal to its source.
        let ca = semver::canonical(&a);
        if !ca.is_empty() {
            prop_assert_eq!(semver::canonical(&ca), ca.clone());
            prop_assert_eq!(semver::compare(&ca, &a), Ordering::Equal);
        }
    }

    #[test]
    fn sort_is_deterministic_and_ordered(mut list in prop::collection::vec(version(), 0..12), rot in 0usize..12) {
        let mut other = list.clone();
        if !other.is_empty() {
            let k = rot % other.len();
            other.rotate_left(k);
            other.reverse();
        }
        semver::sort(&mut list);
        semver::sort(&mut other);
        prop_assert_eq!(&list, &other);
        for w in list.windows(2) {
            let c = semver::compare(&w[0], &w[1]);
            prop_assert!(c == Ordering::Less || (c == Ordering::Equal && w[0] <= w[1]), "{:?}", w);
        }
    }

    #[test]
    fn pseudo_version_sits_between_base_and_next(m in model(), rev in "[0-9a-f]{12}",
        secs in 0u32..86_400) {
        let older = m.text();
        let t = pseudo::PseudoTime { year: 2019, month: 11, day: 9,
            hour: (secs / 3600) as u8, minute: (secs / 60 % 60) as u8, second: (secs % 60) as u8 };
        let pv = pseudo::pseudo_version("", &older, t, &rev);
        prop_assert!(pseudo::is_pseudo_version(&pv), "{}", pv);
        prop_assert_eq!(semver::compare(&older, &pv), Ordering::Less, "{} < {}", older, pv);
        prop_assert_eq!(pseudo::pseudo_version_time(&pv), Ok(t));
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

fn go_version() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1u32..3, 0u32..30, prop::option::of(0u32..4), prop::option::of((0usize..3, prop::option::of(0u32..4))))
            .prop_map(|(ma, mi, patch, pre)| {
                let mut s = format!("{ma}.{mi}");
                match (patch, pre) {
                    (Some(p), _) => s.push_str(&format!(".{p}")),
                    (None, Some((k, n))) => {
                        s.push_str(["alpha", "beta", "rc"][k]);
                        if let Some(n) = n { s.push_str(&(n + 1).to_string()); }
                    }
                    (None, None) => {}
                }
                s
            }),
        1 => "[0-9]{1,2}(\\.[0-9]{0,2}){0,2}[a-z]{0,2}[0-9]?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn gover_compare_is_a_total_order(a in go_version(), b in go_version(), c in go_version()) {
        prop_assert_eq!(gover::compare(&a, &a), Ordering::Equal);
        prop_assert_eq!(gover::compare(&a, &b), gover::compare(&b, &a).reverse());
        for (x, y, z) in [(&a, &b, &c), (&b, &c, &a), (&c, &a, &b)] {
            if gover::compare(x, y) != Ordering::Greater && gover::compare(y, z) != Ordering::Greater {
                prop_assert_ne!(gover::compare(x, z), Ordering::Greater, "{} {} {}", x, y, z);
            }
        }
        prop_assert_eq!(gover::max(&a, &b), if gover::compare(&a, &b) == Ordering::Less { b.as_str() } else { a.as_str() });
    }

    #[test]
    fn gover_lang_is_not_above_its_release_from_1_21(a in go_version()) {
        if gover::is_valid(&a) {
            let l = gover::lang(&a);
            prop_assert!(gover::is_valid(&l), "{} -> {}", a, l);
            // Before 1.21 "1.N" is the release 1.N.0, above 1.Nrc1; from 1.21 on it is below.
            let v = gover::parse(&a).unwrap_or_default();
            let old_pre = !v.kind.is_empty() && (v.minor.len(), v.minor.as_str()) < (2, "21");
            let c = gover::compare(&l, &a);
            if old_pre {
                prop_assert_eq!(c, Ordering::Greater, "{} -> {}", a, l);
            } else {
                prop_assert_ne!(c, Ordering::Greater, "{} -> {}", a, l);
            }
        }
    }

    #[test]
    fn gover_language_then_rc_then_release(minor in 21u32..40, rc in 1u32..5, patch in 0u32..4) {
        let lang = format!("1.{minor}");
        let rcv = format!("1.{minor}rc{rc}");
        let rel = format!("1.{minor}.{patch}");
        prop_assert_eq!(gover::compare(&lang, &rcv), Ordering::Less);
        prop_assert_eq!(gover::compare(&rcv, &rel), Ordering::Less);
        prop_assert_eq!(gover::lang(&rel), lang.clone());
        prop_assert!(gover::is_lang(&lang));
    }
}
