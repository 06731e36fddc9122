//! The plan catalogue (operator contract "Plans and billing"): each plan fixes the organization's `license`.
//! The license is never stored; it is always read from the organization's current plan.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

mod license;
pub use license::License;

/// One plan. Prices are in minor units of `currency` (cents).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Commercial name shown as `productName` ("Free", "Teams", …).
    pub product_name: String,
    /// Internal service name shown as `serviceName`.
    pub service_name: String,
    pub currency: String,
    pub monthly_price: i64,
    pub yearly_price: i64,
    /// The license served on organizations of this plan.
    pub license: License,
    /// Whether the plan's prices are listed and can be chosen by a subscription. Every plan is by default; a
    /// hosted service sets `purchasable = false` on `unlimited` so it never sells everything for nothing.
    #[serde(default = "yes")]
    pub purchasable: bool,
}

fn yes() -> bool {
    true
}

impl Plan {
    /// API requests per minute (`license.apiLimit`).
    pub fn api_limit(&self) -> i64 {
        self.license.api_limit
    }
}

/// Plans by key (`free`, `core`, …), in a stable order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Catalogue(pub BTreeMap<String, Plan>);

/// The plan order from cheapest to dearest, for listing; the self-hosted plan last.
pub const ORDER: &[&str] = &["free", "core", "pro", "teams", "enterprise", SELF_HOSTED];

/// The default plan: what Make calls the service of its own private instances. Every feature licensed, no
/// entity limits, and an API limit no interactive or scripted use meets (rate limiting stays on as protection).
pub const SELF_HOSTED: &str = "unlimited";

impl Catalogue {
    pub fn get(&self, key: &str) -> Option<&Plan> {
        self.0.get(key)
    }

    /// Plans in catalogue order: the five defaults first, then any extra plans by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Plan)> {
        let known = ORDER.iter().filter_map(move |k| self.0.get_key_value(*k));
        let extra = self.0.iter().filter(|(k, _)| !ORDER.contains(&k.as_str()));
        known.chain(extra)
    }

    /// Applies a TOML/JSON override: known plans merge field by field (license keys merge too), new keys add
    /// plans.
    pub fn merge(&mut self, overrides: &Map<String, Value>) -> Result<(), String> {
        for (key, patch) in overrides {
            let patch = patch.as_object().ok_or_else(|| format!("plans.{key} must be a table"))?;
            let mut base = match self.0.get(key) {
                Some(p) => serde_json::to_value(p).map_err(|e| e.to_string())?,
                None => json!({}),
            };
            let base_obj = base.as_object_mut().ok_or("plan is not an object")?;
            // License keys merge one by one into the plan's license (its JSON object, as it serialises).
            for (k, v) in patch {
                match (k.as_str(), base_obj.get_mut(k), v) {
                    ("license", Some(Value::Object(lic)), Value::Object(add)) => {
                        lic.extend(add.clone());
                    }
                    _ => {
                        base_obj.insert(k.clone(), v.clone());
                    }
                }
            }
            let plan: Plan = serde_json::from_value(base).map_err(|e| format!("plans.{key}: {e}"))?;
            self.0.insert(key.clone(), plan);
        }
        Ok(())
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        let mut plans = BTreeMap::new();
        for (key, product, monthly, yearly, lic) in [
            ("free", "Free", 0, 0, license(1_000, 100 << 20, 2, 1, 15, 30, false, false, 2, "low")),
            ("core", "Core", 1_059, 10_188, license(10_000, 1 << 30, 10, 1, 1, 60, false, false, 0, "low")),
            ("pro", "Pro", 1_886, 18_108, license(10_000, 1 << 30, 20, 1, 1, 120, true, false, 0, "medium")),
            ("teams", "Teams", 3_458, 33_192, license(10_000, 1 << 30, 100, 25, 1, 240, true, true, 0, "medium")),
            (
                "enterprise",
                "Enterprise",
                29_900,
                299_000,
                license(800_000, 1 << 40, 1_000, 1_000, 1, 1_000, true, true, 0, "high"),
            ),
        ] {
            let lic = match key {
                "enterprise" => with_private_spaces(with_custom_roles(lic), true),
                "teams" => with_private_spaces(lic, false),
                _ => lic,
            };
            plans.insert(
                key.to_string(),
                Plan {
                    product_name: product.into(),
                    service_name: key.into(),
                    currency: "USD".into(),
                    monthly_price: monthly,
                    yearly_price: yearly,
                    license: lic,
                    purchasable: true,
                },
            );
        }
        plans.insert(SELF_HOSTED.into(), unlimited());
        Catalogue(plans)
    }
}

/// Billing interval of a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Monthly,
    Yearly,
}

impl Interval {
    pub fn name(self) -> &'static str {
        match self {
            Interval::Monthly => "monthly",
            Interval::Yearly => "yearly",
        }
    }

    pub fn months(self) -> u32 {
        match self {
            Interval::Monthly => 1,
            Interval::Yearly => 12,
        }
    }
}

/// A price: `<plan>-monthly` or `<plan>-yearly` (the operator contract's `priceId`).
#[derive(Debug, Clone)]
pub struct Price<'a> {
    pub id: String,
    pub plan_key: &'a str,
    pub plan: &'a Plan,
    pub interval: Interval,
    pub amount: i64,
}

impl Catalogue {
    /// Every price that a subscription may choose, plan by plan, monthly before yearly (the price list).
    pub fn prices(&self) -> Vec<Price<'_>> {
        self.all_prices().into_iter().filter(|p| p.plan.purchasable).collect()
    }

    /// A price by id, for display and for returning to the default plan; it may belong to a plan not for sale.
    pub fn price(&self, id: &str) -> Option<Price<'_>> {
        self.all_prices().into_iter().find(|p| p.id == id)
    }

    /// A price a subscription may be started or changed to.
    pub fn offered_price(&self, id: &str) -> Option<Price<'_>> {
        self.price(id).filter(|p| p.plan.purchasable)
    }

    fn all_prices(&self) -> Vec<Price<'_>> {
        self.iter()
            .flat_map(|(k, p)| {
                [Interval::Monthly, Interval::Yearly].map(|i| Price {
                    id: format!("{k}-{}", i.name()),
                    plan_key: k.as_str(),
                    plan: p,
                    interval: i,
                    amount: if i == Interval::Monthly { p.monthly_price } else { p.yearly_price },
                })
            })
            .collect()
    }
}

/// The self-hosted plan: the enterprise license with every limit lifted.
fn unlimited() -> Plan {
    let mut license = license(1_000_000_000, 1 << 50, 1_000_000, 1_000_000, 1, 1_000_000, true, true, 0, "high");
    Arc::make_mut(&mut license.object).insert("apps".into(), json!(["T2", "T3"]));
    Arc::make_mut(&mut license.object).insert("productManagement".into(), json!("self_hosted"));
    let license = with_private_spaces(with_custom_roles(license), true);
    Plan {
        product_name: "Unlimited".into(),
        service_name: SELF_HOSTED.into(),
        currency: "USD".into(),
        monthly_price: 0,
        yearly_price: 0,
        license,
        purchasable: true,
    }
}

#[allow(clippy::too_many_arguments)]
fn license(
    operations: i64,
    transfer: i64,
    users: i64,
    teams: i64,
    interval: i64,
    api_limit: i64,
    custom_variables: bool,
    tfa: bool,
    scenarios: i64,
    priority: &str,
) -> License {
    let paid = api_limit > 30;
    let v = json!({
        "apps": if paid { json!(["T2", "T3"]) } else { json!([]) },
        "users": users,
        "teams": teams,
        "operations": operations,
        "transfer": transfer,
        "dslimit": if paid { 40 } else { 1 },
        "dsslimit": if paid { 524_288_000 } else { 1_048_576 },
        "fslimit": if paid { 2_147_483_648_i64 } else { 5_242_880 },
        "iolimit": 10_000,
        "interval": interval,
        "apiLimit": api_limit,
        "scenarios": scenarios,
        "customVariables": custom_variables,
        "tfaEnforcement": tfa,
        "fulltext": paid,
        "advsched": paid,
        "customFunctions": custom_variables,
        "onDemandScheduling": paid,
        "priority": priority,
        "retention": if paid { 30 } else { 7 },
        "executionTime": if paid { 2_400 } else { 300 },
        "restartPeriod": "monthly",
        "gracePeriod": if paid { 7 } else { 0 },
        "productManagement": "self_service",
        "auditLogsDays": 0,
        // Make Enterprise's custom roles: switched on below for the plans that have them.
        "customRoles": false,
        // Private spaces, and admins observing them: switched on below for the plans that have them.
        "privateSpaces": false,
        "privateSpacesObservability": false,
    });
    let mut m = match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.extend(not_offered());
    License {
        users,
        teams,
        operations,
        transfer,
        api_limit,
        custom_variables,
        tfa_enforcement: tfa,
        custom_roles: false,
        private_spaces: false,
        private_spaces_observability: false,
        object: Arc::new(m),
    }
}

/// The license with Make Enterprise's custom roles switched on.
fn with_custom_roles(mut license: License) -> License {
    Arc::make_mut(&mut license.object).insert("customRoles".into(), json!(true));
    license.custom_roles = true;
    license
}

/// The license with private spaces switched on and, if `observability`, Owners and Admins observing them (orgd's
/// choice: spaces from Teams up, observing them from Enterprise up).
fn with_private_spaces(mut license: License, observability: bool) -> License {
    Arc::make_mut(&mut license.object).insert("privateSpaces".into(), json!(true));
    Arc::make_mut(&mut license.object).insert("privateSpacesObservability".into(), json!(observability));
    license.private_spaces = true;
    license.private_spaces_observability = observability;
    license
}

/// License keys Make sends for parts of its platform that orgd does not run (scenarios, portal, on-premise
/// agents, …): present, so clients find every key, and honestly switched off.
fn not_offered() -> Map<String, Value> {
    let off = [
        "portal",
        "scenarioIO",
        "onPremAgent",
        "dedicatedSso",
        "analyticsAccess",
        "creatingTemplates",
        "dynamicConnections",
        "portalModuleBridge",
        "dynamicDependencies",
        "scenarioRelationTree",
        "teamOperationsLimits",
    ];
    let none = ["dlqStorage", "makeAITools", "premiumApps", "customProperties", "webhookLogRetentionDays"];
    let mut m: Map<String, Value> = off.iter().map(|k| (k.to_string(), json!(false))).collect();
    m.extend(none.iter().map(|k| (k.to_string(), json!(0))));
    m.insert("installPublicApps".into(), json!(true));
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_operator_contract() {
        let c = Catalogue::default();
        let limits: Vec<_> = ORDER.iter().map(|k| c.get(k).unwrap().api_limit()).collect();
        assert_eq!(limits, [30, 60, 120, 240, 1000, 1_000_000]);
        let vars: Vec<_> = ORDER.iter().map(|k| c.get(k).unwrap().license.custom_variables()).collect();
        assert_eq!(vars, [false, false, true, true, true, true]);
        let tfa: Vec<_> = ORDER.iter().map(|k| c.get(k).unwrap().license.tfa_enforcement()).collect();
        assert_eq!(tfa, [false, false, false, true, true, true]);
    }

    #[test]
    fn the_self_hosted_plan_lifts_every_limit_and_can_be_taken_off_sale() {
        let mut c = Catalogue::default();
        let unlimited = c.get(SELF_HOSTED).unwrap();
        assert_eq!((unlimited.service_name.as_str(), unlimited.monthly_price), ("unlimited", 0));
        assert!(unlimited.license.teams() >= 1_000_000);
        assert!(unlimited.license.users() >= 1_000_000);
        assert_eq!(c.prices().len(), 12, "six plans, two prices each");
        c.merge(json!({"unlimited": {"purchasable": false}}).as_object().unwrap()).unwrap();
        assert!(c.offered_price("unlimited-monthly").is_none());
        assert!(c.price("unlimited-monthly").is_some(), "cancelling still returns to it");
        assert_eq!(c.prices().len(), 10);
    }

    #[test]
    fn overrides_merge_into_license_and_add_plans() {
        let mut c = Catalogue::default();
        let patch = json!({
            "pro": {"monthly_price": 999, "license": {"apiLimit": 500}},
            "custom": {"product_name": "Custom", "service_name": "custom", "currency": "EUR",
                       "monthly_price": 1, "yearly_price": 10, "license": {"apiLimit": 7}}
        });
        c.merge(patch.as_object().unwrap()).unwrap();
        let pro = c.get("pro").unwrap();
        assert_eq!((pro.monthly_price, pro.api_limit()), (999, 500));
        assert!(pro.license.custom_variables(), "untouched keys survive");
        assert_eq!(c.get("custom").unwrap().api_limit(), 7);
        let bad = json!({"pro": {"nonsense": 1}});
        assert!(c.merge(bad.as_object().unwrap()).is_err());
        let err = c.merge(json!({"pro": {"license": {"users": "many"}}}).as_object().unwrap()).unwrap_err();
        assert!(err.contains("license.users must be a whole number"), "{err}");
    }
}
