//! Where the schema rules report: at the definition the fix belongs to.

use super::context::RuleContext;
use crate::diagnostic::Diagnostic;
use crate::link::{Column, Table};
use crate::rule_id::RuleId;

/// A finding about `column` of `table`. A column written in the table is reported there; a
/// column spread in from a shared object (`...timestamps`, in this file or another) is
/// reported at the table's name,
/// where an index would be added, with the shared definition as a related location (it may
/// serve other tables too, each of which gets its own finding).
pub(crate) fn at_column(
    ctx: &RuleContext<'_>,
    rule: RuleId,
    table: &Table,
    column: &Column,
    message: String,
) -> Diagnostic {
    let units = &ctx.project.units;
    let here = &units[table.file].rel;
    let code = format!("{}.{}", table.binding, column.key);
    let inside = column.file == table.file
        && table.span.lo <= column.span.lo
        && column.span.hi <= table.span.hi;
    if inside {
        return Diagnostic::new(rule, here, column.span, message).context(None, &code);
    }
    Diagnostic::new(rule, here, table.name_span, message)
        .related(
            &units[column.file].rel,
            column.span,
            format!("`{}` is defined here, in shared columns", column.key),
        )
        .context(None, &code)
}
