//! Rule identities, and the one list of rules.
//!
//! A rule is named by a [`RuleId`], never by its name as a string: the configuration, the
//! registry ([`crate::rules`]), the suppress step and the emitters all compare ids. This module
//! depends on nothing, so everything that names a rule can sit above it (the configuration
//! validates `rules` keys here without knowing how rules are checked).

/// Every rule, in the order every output lists them: its id, the name users write (in the
/// configuration, in suppression comments, on the command line) and its module under
/// `src/rules/`. Adding a rule is one line here, plus its file (declared with `mod` in
/// `src/rules/mod.rs`) and its fixture folder.
///
/// The list is handed to the macro named by `$then`: [`RuleId`] below, and the registry of
/// rule definitions in `src/rules/mod.rs`, are both expanded from it.
macro_rules! with_every_rule {
    ($then:ident) => {
        $then! {
            TenantFilter "tenant-filter" tenant_filter,
            UnverifiedTenantFilter "unverified-tenant-filter" unverified_tenant_filter,
            SoftDeleteFilter "soft-delete-filter" soft_delete_filter,
            UnboundedQuery "unbounded-query" unbounded_query,
            OffsetWithoutOrderBy "offset-without-order-by" offset_without_order_by,
            NPlusOne "n-plus-one" n_plus_one,
            UpdateWithoutWhere "update-without-where" update_without_where,
            DeleteWithoutWhere "delete-without-where" delete_without_where,
            HardDelete "hard-delete" hard_delete,
            RawSqlInjection "raw-sql-injection" raw_sql_injection,
            TenantUpsert "tenant-upsert" tenant_upsert,
            InsertTenantColumn "insert-tenant-column" insert_tenant_column,
            TenantValueFromInput "tenant-value-from-input" tenant_value_from_input,
            UnindexedForeignKey "unindexed-foreign-key" unindexed_foreign_key,
            UnindexedTenantColumn "unindexed-tenant-column" unindexed_tenant_column,
            UniqueTenantIndex "unique-tenant-index" unique_tenant_index,
            ParseError "parse-error" parse_error,
            InternalError "internal-error" internal_error,
            InvalidSuppression "invalid-suppression" invalid_suppression,
            UnusedSuppression "unused-suppression" unused_suppression,
        }
    };
}
pub(crate) use with_every_rule;

macro_rules! declare_rule_ids {
    ($($id:ident $name:literal $module:ident,)*) => {
        /// A rule. Its discriminant is its position in [`RuleId::ALL`] and in
        /// [`crate::rules::RULES`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $($id,)*
        }

        impl RuleId {
            /// Every rule, in the order of the list.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id,)*];

            /// The name users write: `tenant-filter`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(RuleId::$id => $name,)*
                }
            }

            /// The rule a name stands for, if any.
            pub fn from_name(name: &str) -> Option<RuleId> {
                match name {
                    $($name => Some(RuleId::$id),)*
                    _ => None,
                }
            }
        }
    };
}
with_every_rule!(declare_rule_ids);

impl RuleId {
    /// Its position in [`RuleId::ALL`] (and in the registry).
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Compares with a rule's name, for code that holds names read from outside (a test's
/// expectations, a baseline file).
impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::RuleId;

    #[test]
    fn names_and_ids_map_both_ways_in_list_order() {
        for (i, &id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(id.index(), i);
            assert_eq!(RuleId::from_name(id.name()), Some(id));
            assert_eq!(id.to_string(), id.name());
        }
        assert_eq!(RuleId::from_name("tenant-filtr"), None);
        assert_eq!(RuleId::from_name(""), None);
    }
}
