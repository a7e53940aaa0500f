# Checks across targets that a campaign administrator adds (reports/validation.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_initial"),
        ("reports", "0008_redraft_drafted_text"),
        ("resolutions", "0003_target_number_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="ValidationRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "left_side",
                    models.CharField(
                        choices=[
                            ("value", "result"),
                            ("numerator", "numerator"),
                            ("denominator", "denominator"),
                        ],
                        default="value",
                        max_length=20,
                        verbose_name="number",
                    ),
                ),
                (
                    "operator",
                    models.CharField(
                        choices=[("<=", "≤"), ("<", "<"), ("=", "="), (">=", "≥"), (">", ">")],
                        max_length=2,
                        verbose_name="must be",
                    ),
                ),
                (
                    "right_side",
                    models.CharField(
                        choices=[
                            ("value", "result"),
                            ("numerator", "numerator"),
                            ("denominator", "denominator"),
                        ],
                        default="value",
                        max_length=20,
                        verbose_name="its number",
                    ),
                ),
                (
                    "message",
                    models.TextField(
                        blank=True,
                        help_text="Shown when the rule is broken: say what to check.",
                        verbose_name="message",
                    ),
                ),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="validation_rules",
                        to="campaigns.campaign",
                    ),
                ),
                (
                    "left_target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="resolutions.target",
                        verbose_name="target",
                    ),
                ),
                (
                    "right_target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="resolutions.target",
                        verbose_name="compared with target",
                    ),
                ),
            ],
            options={
                "verbose_name": "validation rule",
                "verbose_name_plural": "validation rules",
                "ordering": ["campaign", "pk"],
            },
        ),
    ]
