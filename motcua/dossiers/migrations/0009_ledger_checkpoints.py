# Stock checkpoints and the compaction's marks of the append-only ledger (issue 17 item 4).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_verbose_names'),
        ('dossiers', '0008_verbose_names'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='StockCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('figure', models.CharField(max_length=24, verbose_name='figure')),
                ('n', models.BigIntegerField(default=0, verbose_name='count')),
                ('unit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.administrativeunit', verbose_name='receiving unit')),
            ],
            options={
                'verbose_name': 'stock checkpoint',
                'verbose_name_plural': 'stock checkpoints',
                'constraints': [models.UniqueConstraint(fields=('unit', 'figure', 'day'), name='stock_checkpoint_key')],
            },
        ),
        migrations.CreateModel(
            name='FieldStockCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('figure', models.CharField(max_length=24, verbose_name='figure')),
                ('n', models.BigIntegerField(default=0, verbose_name='count')),
                ('field', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.field', verbose_name='field')),
                ('unit', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='units.administrativeunit', verbose_name='receiving unit')),
            ],
            options={
                'verbose_name': 'stock checkpoint by field',
                'verbose_name_plural': 'stock checkpoints by field',
                'constraints': [models.UniqueConstraint(fields=('unit', 'field', 'figure', 'day'), name='field_stock_checkpoint_key')],
            },
        ),
        migrations.CreateModel(
            name='LedgerCheckpointYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='day')),
                ('taken_at', models.DateTimeField(verbose_name='taken at')),
            ],
            options={
                'verbose_name': 'ledger checkpoint year',
                'verbose_name_plural': 'ledger checkpoint years',
                'ordering': ['day'],
            },
        ),
        migrations.CreateModel(
            name='LedgerMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, unique=True, verbose_name='name')),
                ('last_id', models.BigIntegerField(default=0, verbose_name='last row')),
            ],
            options={
                'verbose_name': 'ledger mark',
                'verbose_name_plural': 'ledger marks',
            },
        ),
    ]
