# What each compiled passage was drafted from, so that a redraft can tell the drafter's
# edits from the compilation it last took.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_completeness_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="itemassessment",
            name="drafted_text",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="sectiontext",
            name="drafted_text",
            field=models.TextField(blank=True),
        ),
    ]
