# No global write lock (issue 17 item 2, docs/dossiers.md "Audit"): new events chain per dossier
# only, so chain_seq / chain_prev_hash become optional (legacy events keep theirs; dropping NOT
# NULL is a catalogue change on PostgreSQL, no rewrite of the 30 M events). The ledger becomes
# append-only deltas: its unique keys give way to plain indexes, created before the keys go so
# reports never lose their index.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_verbose_names'),
        ('dossiers', '0008_verbose_names'),
        ('units', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dayfigure',
            index=models.Index(fields=['unit', 'figure', 'day'], name='day_figure_key_idx'),
        ),
        migrations.AddIndex(
            model_name='fielddayfigure',
            index=models.Index(fields=['unit', 'field', 'figure', 'day'], name='field_day_figure_key_idx'),
        ),
        migrations.RemoveConstraint(
            model_name='dayfigure',
            name='day_figure_key',
        ),
        migrations.RemoveConstraint(
            model_name='fielddayfigure',
            name='field_day_figure_key',
        ),
        migrations.AlterField(
            model_name='dossierevent',
            name='chain_prev_hash',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='previous hash in the global chain'),
        ),
        migrations.AlterField(
            model_name='dossierevent',
            name='chain_seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name='number in the global chain'),
        ),
    ]
