"""The name-gram index (``WorkerNameGram``): its table, the triggers that keep it and its first filling.

Triggers on ``registry_worker`` write each character and each pair of adjacent characters of the
name (``rules.name_grams``), with the name, in the transaction of every INSERT, of every UPDATE that changes the name
and of every DELETE, so every write path keeps the index: the services, the importer's and the demo
generator's batched INSERTs, PostgreSQL's COPY and raw SQL.

SQLite and PostgreSQL only (``models.NAME_GRAM_VENDORS``); elsewhere the table stays empty and the
search reads the names themselves. On SQLite a later migration that rebuilds ``registry_worker``
(SQLite alters a table by copying it) drops these triggers: it must create them again and refill the
table (``tests/test_home_search.py`` checks that they exist).
"""
from django.db import migrations, models

GRAMS = "registry_workernamegram"
# SQLite: the positions 1..64 of a name (Worker.name has max_length=64) as a small table, read by
# its primary key up to the name's length. A derived table of 64 UNION ALL rows in the trigger cost
# 0.6–0.8 ms per inserted worker; this costs about 0.15 ms (mostly the index writes).
POSITIONS = "registry_namegram_position"
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"


def grams_select(vendor, row, size, source=""):
    """SELECT (gram, name, worker_id): the grams of ``size`` characters of the names of ``row``
    (NEW in a trigger, ``w`` over the table with ``source`` = "registry_worker w, ")."""
    name, pk = f"{row}.name", f"{row}.id"
    if vendor == "sqlite":
        return (f"SELECT lower(substr({name}, p.n, {size})), {name}, {pk} FROM {source}{POSITIONS} p "
                f"WHERE p.n <= length({name}) - {size - 1}")
    return (f"SELECT DISTINCT translate(substr({name}, p.n, {size}), '{_UPPER}', '{_LOWER}'), {name}, {pk} "
            f"FROM {source}generate_series(1, char_length({name}) - {size - 1}) AS p(n)")


def sqlite_forward():
    def insert(row, source=""):
        return [f"INSERT OR IGNORE INTO {GRAMS} (gram, name, worker_id) " + grams_select("sqlite", row, size, source)
                for size in (1, 2)]
    new = "; ".join(insert("NEW"))
    delete = f"DELETE FROM {GRAMS} WHERE worker_id = OLD.id"
    return [
        f"CREATE TABLE {POSITIONS} (n INTEGER PRIMARY KEY)",
        f"INSERT INTO {POSITIONS} (n) " + " UNION ALL ".join(f"SELECT {n}" for n in range(1, 65)),
        f"CREATE TRIGGER registry_worker_grams_ins AFTER INSERT ON registry_worker BEGIN {new}; END",
        f"CREATE TRIGGER registry_worker_grams_upd AFTER UPDATE OF name ON registry_worker "
        f"WHEN OLD.name IS NOT NEW.name BEGIN {delete}; {new}; END",
        f"CREATE TRIGGER registry_worker_grams_del AFTER DELETE ON registry_worker BEGIN {delete}; END",
        *insert("w", "registry_worker w, "),
    ]


def postgresql_forward():
    insert = "; ".join(f"INSERT INTO {GRAMS} (gram, name, worker_id) " + grams_select("postgresql", "NEW", size)
                       + " ON CONFLICT DO NOTHING" for size in (1, 2))
    return [
        f"""CREATE FUNCTION registry_worker_grams() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.name IS NOT DISTINCT FROM NEW.name THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM {GRAMS} WHERE worker_id = OLD.id; END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN {insert}; END IF;
  RETURN NULL;
END $$""",
        "CREATE TRIGGER registry_worker_grams AFTER INSERT OR DELETE OR UPDATE OF name ON registry_worker "
        "FOR EACH ROW EXECUTE FUNCTION registry_worker_grams()",
        *(f"INSERT INTO {GRAMS} (gram, name, worker_id) "
          + grams_select("postgresql", "w", size, "registry_worker w, ") + " ON CONFLICT DO NOTHING" for size in (1, 2)),
    ]


BACKWARD = {
    "sqlite": ["DROP TRIGGER IF EXISTS registry_worker_grams_ins", "DROP TRIGGER IF EXISTS registry_worker_grams_upd",
               "DROP TRIGGER IF EXISTS registry_worker_grams_del", f"DROP TABLE IF EXISTS {POSITIONS}"],
    "postgresql": ["DROP TRIGGER IF EXISTS registry_worker_grams ON registry_worker",
                   "DROP FUNCTION IF EXISTS registry_worker_grams()"],
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_forward, "postgresql": postgresql_forward}.get(vendor)
    for sql in statements() if statements else []:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in BACKWARD.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_scope_worker_erased")]

    operations = [
        migrations.CreateModel(
            name="WorkerNameGram",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("gram", models.CharField(max_length=2)),
                ("name", models.CharField(max_length=64)),
                ("worker", models.ForeignKey(db_constraint=False, on_delete=models.deletion.DO_NOTHING,
                                             related_name="name_grams", to="registry.worker")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("gram", "name", "worker"), name="registry_name_gram_key")],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
