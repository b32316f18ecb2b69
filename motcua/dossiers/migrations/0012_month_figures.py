# Monthly rollups of the append-only ledger (issue 17 item 4): one row per unit, figure and
# closed month.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_verbose_names'),
        ('dossiers', '0011_merge_issue_17'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(unique=True, verbose_name='month')),
                ('last_day', models.DateField(unique=True, verbose_name='last day')),
                ('taken_at', models.DateTimeField(verbose_name='taken at')),
            ],
            options={
                'verbose_name': 'ledger month',
                'verbose_name_plural': 'ledger months',
                'ordering': ['month'],
            },
        ),
        migrations.CreateModel(
            name='FieldMonthFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('figure', models.CharField(max_length=24, verbose_name='figure')),
                ('n', models.BigIntegerField(default=0, verbose_name='count')),
                ('field', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.field', verbose_name='field')),
                ('unit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.administrativeunit', verbose_name='receiving unit')),
            ],
            options={
                'verbose_name': 'month figure by field',
                'verbose_name_plural': 'month figures by field',
                'constraints': [models.UniqueConstraint(fields=('unit', 'field', 'figure', 'month'), name='field_month_figure_key')],
            },
        ),
        migrations.CreateModel(
            name='MonthFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('figure', models.CharField(max_length=24, verbose_name='figure')),
                ('n', models.BigIntegerField(default=0, verbose_name='count')),
                ('unit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.administrativeunit', verbose_name='receiving unit')),
            ],
            options={
                'verbose_name': 'month figure',
                'verbose_name_plural': 'month figures',
                'constraints': [models.UniqueConstraint(fields=('unit', 'figure', 'month'), name='month_figure_key')],
            },
        ),
    ]
