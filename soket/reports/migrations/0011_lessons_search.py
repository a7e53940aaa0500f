"""The folded copies the lessons search reads (issue 13, point 3), filled for the texts
already written, and on PostgreSQL their trigram indexes, which serve `LIKE '%…%'` on
the copies: one folding rule, in Python (soket.core.text.folded), for both databases."""

from django.db import migrations, models

from soket.reports.searchable import causes_copy, text_copy

CHUNK = 2000
INDEXES = [
    ("reports_sectiontext", "folded", "reports_sectiontext_folded_trgm"),
    ("reports_itemassessment", "folded", "reports_itemassessment_folded_trgm"),
    ("reports_figure", "folded_causes", "reports_figure_causes_trgm"),
]


def fill(apps, schema_editor):
    for model_name, source, copy, fold in (
        ("SectionText", "text", "folded", text_copy),
        ("ItemAssessment", "text", "folded", text_copy),
        ("Figure", "causes", "folded_causes", causes_copy),
    ):
        model = apps.get_model("reports", model_name)
        rows = model.objects.exclude(**{source: ""}).only("pk", source).order_by("pk")
        batch = []
        for row in rows.iterator(chunk_size=CHUNK):
            setattr(row, copy, fold(getattr(row, source)))
            batch.append(row)
            if len(batch) == CHUNK:
                model.objects.bulk_update(batch, [copy])
                batch = []
        model.objects.bulk_update(batch, [copy])


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_report_drafted_with_submitted"),
    ]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="folded_causes",
            field=models.TextField(blank=True, editable=False, db_default=""),
        ),
        migrations.AddField(
            model_name="itemassessment",
            name="folded",
            field=models.TextField(blank=True, editable=False, db_default=""),
        ),
        migrations.AddField(
            model_name="sectiontext",
            name="folded",
            field=models.TextField(blank=True, editable=False, db_default=""),
        ),
        migrations.AddIndex(
            model_name="sectiontext",
            index=models.Index(fields=["section", "report"], name="reports_section_report"),
        ),
        migrations.AddIndex(
            model_name="itemassessment",
            index=models.Index(fields=["item", "report"], name="reports_item_report"),
        ),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                condition=models.Q(("folded_causes", ""), _negated=True),
                fields=["target", "report"],
                name="reports_figure_causes",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(add_indexes, drop_indexes),
    ]
