//! Private spaces: a member's personal team with its own operations limit. The rules of its limit, written once.

use super::plans::License;

/// A space's name, as Make names one: "Becca Smith's space".
pub fn name_for(owner_name: &str) -> String {
    format!("{owner_name}'s space")
}

/// The transfer limit that goes with an operations limit: the plan's bytes per operation (Make derives
/// `transferLimit`; it is never set on its own). `None` (unlimited) stays unlimited.
pub fn transfer_limit(operations_limit: Option<i64>, license: &License) -> Option<i64> {
    let ops = operations_limit?;
    if license.operations() <= 0 {
        return Some(0);
    }
    let per_op = i128::from(license.transfer()) / i128::from(license.operations());
    Some(i64::try_from(i128::from(ops) * per_op).unwrap_or(i64::MAX))
}

/// Whether setting `limit` on a space that used `consumed` operations this period cuts it below its use: Make
/// asks for `confirmed=true` then (IM004), and confirming pauses the space.
pub fn lowers_below_use(limit: Option<i64>, consumed: i64) -> bool {
    limit.is_some_and(|l| l < consumed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::plans::Catalogue;

    #[test]
    fn the_transfer_limit_follows_the_operations_limit_at_the_plans_rate() {
        let c = Catalogue::default();
        let teams = &c.get("teams").unwrap().license;
        assert_eq!(transfer_limit(None, teams), None);
        assert_eq!(transfer_limit(Some(1_000), teams), Some(1_000 * ((1 << 30) / 10_000)));
        assert_eq!(transfer_limit(Some(0), teams), Some(0));
    }

    #[test]
    fn only_a_limit_under_the_use_needs_confirming() {
        assert!(lowers_below_use(Some(10), 11));
        assert!(!lowers_below_use(Some(11), 11));
        assert!(!lowers_below_use(None, 1_000_000));
        assert_eq!(name_for("Becca Smith"), "Becca Smith's space");
    }
}
