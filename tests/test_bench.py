"""The benchmark command runs end to end at a tiny scale (timings are not asserted: CI machines vary)."""
import json

from django.core.management import call_command
from django.db import connection

from concord.bench import runner


def test_bench_runs_at_a_tiny_scale(tmp_path):
    engine = "postgres" if connection.vendor == "postgresql" else "sqlite"
    doc = tmp_path / "benchmarks.md"
    call_command(
        "bench", engines=engine, scale_small="tiny", county_enterprises=40, county_workers=1500, runs=1,
        import_rows=200, out_dir=str(tmp_path), doc=str(doc), pg_prefix="concord_bench_test",
    )
    name = "postgresql" if engine == "postgres" else "sqlite"
    report = json.loads((tmp_path / f"results-{name}.json").read_text())
    assert report["seeding"]["small"]["workers"] == 1200 and report["seeding"]["county"]["workers"] == 1500
    assert report["seeding"]["county"]["enterprises"] == 40
    for scale in ("small", "county"):
        pages = report["pages"][scale]
        assert set(pages) >= {"enterprise_list_town", "worker_list_town", "worker_search_id", "worker_search_name",
                              "enterprise_360", "api_enterprises_town", "api_workers_town", "case_list", "case_measures",
                              "alert_list", "risk_table", "harmony_round", "harmony_measures"}
        for key, row in pages.items():
            # The dispute and early-warning pages have no stock-admin counterpart.
            for who in ("county_admin", "town_officer") + (() if row["admin_url"] is None else ("admin",)):
                assert row[who]["status"] == 200, (row["url"], who, row[who])
                assert row[who]["queries"] > 0
        assert pages["case_list"]["admin"] is None
        # The escalation job ran on a copy: it found the seeded overdue cases and moved them all.
        job = report["escalation"][scale]
        assert job["overdue"] >= 1 and job["raw_found"] == job["overdue"] and job["left"] == 0, job
        assert job["result"] == f"escalated {job['overdue']}, skipped 0" and job["seconds"] > 0
        assert report["seeding"][scale]["cases"] > 0
        # The early-warning scan ran on a copy: the seeded signals, read by the scan and by the raw aggregate.
        scan = report["scan"][scale]
        assert scan["signals"] >= report["seeding"][scale]["signals"] > 0 and scan["groups"] > 0, scan
        assert scan["seconds"] > 0 and scan["raw_seconds"] > 0 and scan["result"].startswith("signals ")
        assert scan["again"].endswith("changed 0, raised 0, lifted 0, escalated 0"), scan
        assert report["seeding"][scale]["alerts"] > 0
        # Harmony: the figures and computed indicators of every applying enterprise.
        step = report["harmony"][scale]
        assert step["available"] and step["enterprises"] == report["facts"][scale]["evaluations"] > 0, step
        assert step["indicators"] >= step["enterprises"] and step["seconds"] > 0 and step["queries"] > 0
    imported = report["import"]
    assert imported["raw"]["rows"] == 200
    if imported["import"].get("available"):
        assert imported["import"]["ok"] and imported["import"]["new_workers"] == 200, imported["import"]
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks") and f"<!-- bench:{name} -->" in text
    assert "| enterprise 360 | county admin |" in text and "Import ÷ raw insert" in text
    assert "| case list (/disputes/cases/) | town officer |" in text and "Escalation job" in text
    assert "| alert inbox (/alerts/) | town officer |" in text and "| risk table (/alerts/risk/) | county admin |" in text
    assert "Early-warning scan" in text and "| county | 40 |" in text
    assert "| harmony measures (/harmony/measures/) | county admin |" in text and "Harmony computed indicators" in text
    if engine == "postgres":
        assert not runner.PostgresEngine(runner.postgres_url(), "concord_bench_test").exists("county")


def test_doc_sections_are_replaced_per_engine(tmp_path):
    doc = tmp_path / "b.md"
    sqlite, pg = runner.SQLiteEngine(tmp_path), runner.PostgresEngine("postgres://x@127.0.0.1/db", "p")
    runner.write_doc(doc, sqlite, "first")
    runner.write_doc(doc, pg, "pg text")
    runner.write_doc(doc, sqlite, "second")
    text = doc.read_text(encoding="utf-8")
    assert "second" in text and "first" not in text and "pg text" in text
    assert text.index("## SQLite") < text.index("## PostgreSQL")
