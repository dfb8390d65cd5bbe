"""The case tally (``CaseTally``): its table, the triggers that keep it and its first filling.

The triggers run in the transaction of every INSERT, UPDATE and DELETE on ``disputes_case``: the
case's old bucket loses the case, its new bucket gains it. A bucket is (first day of the month
received, collective or not, status, level of resolution, town). An UPDATE that changes none of the
tallied columns (a reminder date, a mediator) does nothing. Amounts are summed in fen, exactly.

SQLite and PostgreSQL only (``models.TALLY_VENDORS``); on another database the table stays empty
and the measures are aggregated from the cases. On SQLite, a later migration that rebuilds
``disputes_case`` (SQLite alters a table by copying it) drops these triggers: it must create them
again and refill the tally (``tests/test_disputes_pages.py`` checks that they exist).
"""
from django.db import migrations, models

TALLY = "disputes_casetally"
KEY = ("month", "is_collective", "status", "resolved_level", "region_id")
SUMS = ("cases", "days_sum", "days_count", "claimed_cents", "recovered_cents")
# Columns of disputes_case that decide a case's bucket or its sums.
WATCHED = ("region_id", "received_on", "is_collective", "status", "resolved_level", "resolution_days",
           "amount_claimed", "amount_recovered")


def _month(vendor, row):
    if vendor == "sqlite":
        return f"date({row}.received_on, 'start of month')"
    return f"CAST(date_trunc('month', {row}.received_on) AS date)"


def _fen(vendor, expr):
    kind = "INTEGER" if vendor == "sqlite" else "bigint"
    return f"COALESCE(CAST(ROUND({expr} * 100) AS {kind}), 0)"


def _values(vendor, row):
    """One case's bucket key and contribution, as SQL expressions over NEW or OLD."""
    has_days = f"CASE WHEN {row}.resolution_days IS NULL THEN 0 ELSE 1 END"
    return {
        "region_id": f"{row}.region_id", "month": _month(vendor, row), "is_collective": f"{row}.is_collective",
        "status": f"{row}.status", "resolved_level": f"{row}.resolved_level",
        "cases": "1", "days_sum": f"COALESCE({row}.resolution_days, 0)", "days_count": has_days,
        "claimed_cents": _fen(vendor, f"{row}.amount_claimed"), "recovered_cents": _fen(vendor, f"{row}.amount_recovered"),
    }


def add_sql(vendor, row="NEW"):
    v = _values(vendor, row)
    columns = KEY + SUMS
    return (
        f"INSERT INTO {TALLY} ({', '.join(columns)}) VALUES ({', '.join(v[c] for c in columns)}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
        + ", ".join(f"{c} = {TALLY}.{c} + excluded.{c}" for c in SUMS)
    )


def remove_sql(vendor, row="OLD"):
    """Take the case out of its bucket and drop the bucket once empty. Never inserts, so that
    emptying both tables (a test database's flush) in either order leaves nothing behind."""
    v = _values(vendor, row)
    where = " AND ".join(f"{c} = {v[c]}" for c in KEY)
    return [
        f"UPDATE {TALLY} SET " + ", ".join(f"{c} = {c} - {v[c]}" for c in SUMS) + f" WHERE {where}",
        f"DELETE FROM {TALLY} WHERE {where} AND cases <= 0",
    ]


def fill_sql(vendor):
    """The tally of the cases already there."""
    v = {c: e.replace("NEW.", "c.") for c, e in _values(vendor, "NEW").items()}
    sums = {"cases": "COUNT(*)", "days_sum": "COALESCE(SUM(c.resolution_days), 0)",
            "days_count": "COUNT(c.resolution_days)", "claimed_cents": f"COALESCE(SUM({v['claimed_cents']}), 0)",
            "recovered_cents": f"COALESCE(SUM({v['recovered_cents']}), 0)"}
    return (
        f"INSERT INTO {TALLY} ({', '.join(KEY + SUMS)}) "
        f"SELECT {', '.join([v[c] for c in KEY] + [sums[c] for c in SUMS])} FROM disputes_case c "
        f"GROUP BY {', '.join(v[c] for c in KEY)}"
    )


def changed(row_old="OLD", row_new="NEW", vendor="sqlite"):
    op = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"{row_old}.{c} {op} {row_new}.{c}" for c in WATCHED)


def sqlite_statements():
    add, remove = add_sql("sqlite"), remove_sql("sqlite")
    return [
        f"CREATE TRIGGER disputes_case_tally_insert AFTER INSERT ON disputes_case BEGIN {add}; END",
        f"CREATE TRIGGER disputes_case_tally_delete AFTER DELETE ON disputes_case BEGIN {'; '.join(remove)}; END",
        f"CREATE TRIGGER disputes_case_tally_update AFTER UPDATE OF {', '.join(WATCHED)} ON disputes_case "
        f"WHEN {changed()} BEGIN {'; '.join(remove)}; {add}; END",
    ]


def postgresql_statements():
    add, remove = add_sql("postgresql"), remove_sql("postgresql")
    function = f"""
CREATE OR REPLACE FUNCTION disputes_case_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NOT ({changed(vendor="postgresql")}) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {'; '.join(remove)};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {add};
    END IF;
    RETURN NULL;
END
$$"""
    return [
        function,
        "CREATE TRIGGER disputes_case_tally AFTER INSERT OR DELETE OR UPDATE OF "
        f"{', '.join(WATCHED)} ON disputes_case FOR EACH ROW EXECUTE FUNCTION disputes_case_tally()",
    ]


DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS disputes_case_tally_insert", "DROP TRIGGER IF EXISTS disputes_case_tally_delete",
               "DROP TRIGGER IF EXISTS disputes_case_tally_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS disputes_case_tally ON disputes_case",
                   "DROP FUNCTION IF EXISTS disputes_case_tally()"],
}


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_statements, "postgresql": postgresql_statements}.get(vendor)
    if statements is None:
        return
    for sql in DROP[vendor] + statements() + [f"DELETE FROM {TALLY}", fill_sql(vendor)]:
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_sequence_notification"),
        ("disputes", "0002_legal_setting_tier"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(verbose_name="month received")),
                ("is_collective", models.BooleanField(verbose_name="collective case")),
                ("status", models.CharField(choices=[("received", "Received"), ("accepted", "Accepted"), ("rejected", "Not accepted"), ("consultation", "Consultation"), ("mediation", "Mediation"), ("agreement", "Agreement reached"), ("failed", "Mediation failed"), ("withdrawn", "Withdrawn"), ("closed", "Closed")], max_length=16, verbose_name="status")),
                ("resolved_level", models.CharField(blank=True, choices=[("enterprise", "Enterprise"), ("town", "Town"), ("county", "County")], max_length=12, verbose_name="resolved at level")),
                ("cases", models.IntegerField(default=0, verbose_name="cases")),
                ("days_sum", models.BigIntegerField(default=0, verbose_name="days to resolve, summed")),
                ("days_count", models.IntegerField(default=0, verbose_name="cases with days to resolve")),
                ("claimed_cents", models.BigIntegerField(default=0, verbose_name="amount claimed (fen)")),
                ("recovered_cents", models.BigIntegerField(default=0, verbose_name="amount recovered (fen)")),
                ("region", models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE, related_name="+", to="core.region", verbose_name="town")),
            ],
            options={
                "verbose_name": "case tally",
                "verbose_name_plural": "case tallies",
                "indexes": [models.Index(fields=["month", "is_collective", "status", "resolved_level", "region", "cases", "days_sum", "days_count", "claimed_cents", "recovered_cents"], name="disputes_casetally_sums")],
                "constraints": [models.UniqueConstraint(fields=("month", "is_collective", "status", "resolved_level", "region"), name="disputes_casetally_key")],
            },
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
