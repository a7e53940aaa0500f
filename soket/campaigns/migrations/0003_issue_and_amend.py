"""Campaigns are drafted, issued and amended. Those made before drafts existed were seen
by everyone, so they are issued; a new campaign starts as a draft."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0002_initial'),
        ('orgs', '0002_department_signer_name_department_signer_title_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='is_illustrative',
            field=models.BooleanField(default=False, help_text="The plan's number and date are not in the source: the demo made them up.", verbose_name='illustrative sample data'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='issued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='issued in Soket at'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='revision',
            field=models.PositiveIntegerField(default=0, verbose_name='revision'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='state',
            field=models.CharField(choices=[('draft', 'Draft'), ('issued', 'Issued')], db_index=True, default='issued', max_length=20, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='state',
            field=models.CharField(choices=[('draft', 'Draft'), ('issued', 'Issued')], db_index=True, default='draft', max_length=20, verbose_name='state'),
        ),
        migrations.CreateModel(
            name='Amendment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='number')),
                ('made_at', models.DateTimeField(verbose_name='made at')),
                ('part', models.CharField(max_length=20, verbose_name='part')),
                ('reason', models.TextField(verbose_name='reason')),
                ('changes', models.JSONField(default=list, verbose_name='changes')),
                ('told_departments', models.BooleanField(default=False, verbose_name='departments told')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='amendments', to='campaigns.campaign')),
                ('made_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('told_kinds', models.ManyToManyField(blank=True, related_name='+', to='orgs.unitkind', verbose_name='levels told')),
            ],
            options={
                'verbose_name': 'amendment',
                'verbose_name_plural': 'amendments',
                'ordering': ['campaign', 'number'],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'number'), name='campaigns_amendment_once')],
            },
        ),
    ]
