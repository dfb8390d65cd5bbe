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
# Positions 1..64 (Worker.name has max_length=64), pairs of (position, length 1 or 2).
_POSITIONS = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, 65))
_SIZES = "SELECT 1 AS k UNION ALL SELECT 2"
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"


def grams_select(vendor, row):
    """SELECT (gram, name, worker_id) of the names of ``row`` (NEW in a trigger, ``w`` over the table)."""
    name, pk = f"{row}.name", f"{row}.id"
    if vendor == "sqlite":
        return (f"SELECT DISTINCT lower(substr({name}, p.n, s.k)), {name}, {pk} FROM {'{from}'}({_POSITIONS}) p, ({_SIZES}) s "
                f"WHERE p.n + s.k - 1 <= length({name})")
    return (f"SELECT DISTINCT translate(substr({name}, p.n, s.k), '{_UPPER}', '{_LOWER}'), {name}, {pk} "
            f"FROM {'{from}'}generate_series(1, 64) AS p(n), generate_series(1, 2) AS s(k) "
            f"WHERE p.n + s.k - 1 <= char_length({name})")


def sqlite_forward():
    insert = f"INSERT OR IGNORE INTO {GRAMS} (gram, name, worker_id) " + grams_select("sqlite", "NEW").format(**{"from": ""})
    delete = f"DELETE FROM {GRAMS} WHERE worker_id = OLD.id"
    return [
        f"CREATE TRIGGER registry_worker_grams_ins AFTER INSERT ON registry_worker BEGIN {insert}; END",
        f"CREATE TRIGGER registry_worker_grams_upd AFTER UPDATE OF name ON registry_worker "
        f"WHEN OLD.name IS NOT NEW.name BEGIN {delete}; {insert}; END",
        f"CREATE TRIGGER registry_worker_grams_del AFTER DELETE ON registry_worker BEGIN {delete}; END",
        f"INSERT OR IGNORE INTO {GRAMS} (gram, name, worker_id) " + grams_select("sqlite", "w").format(**{"from": "registry_worker w, "}),
    ]


def postgresql_forward():
    insert = (f"INSERT INTO {GRAMS} (gram, name, worker_id) " + grams_select("postgresql", "NEW").format(**{"from": ""})
              + " ON CONFLICT DO NOTHING")
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
        f"INSERT INTO {GRAMS} (gram, name, worker_id) "
        + grams_select("postgresql", "w").format(**{"from": "registry_worker w, "}) + " ON CONFLICT DO NOTHING",
    ]


BACKWARD = {
    "sqlite": ["DROP TRIGGER IF EXISTS registry_worker_grams_ins", "DROP TRIGGER IF EXISTS registry_worker_grams_upd",
               "DROP TRIGGER IF EXISTS registry_worker_grams_del"],
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
    dependencies = [("registry", "0004_documents_worker_ethnicity_address")]

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
