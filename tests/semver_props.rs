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
