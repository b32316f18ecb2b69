# The rating links, taken over from the portal app (portal.0002): the same table, state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0005_dossier_files'),
        ('feedback', '0001_initial'),
        ('portal', '0002_ratinglink_to_feedback'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RatingLink',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token_hash', models.CharField(max_length=64, unique=True, verbose_name='token (SHA-256)')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('used_at', models.DateTimeField(blank=True, null=True, verbose_name='used at')),
                        ('dossier', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rating_links', to='dossiers.dossier', verbose_name='dossier')),
                    ],
                    options={
                        'verbose_name': 'rating link',
                        'verbose_name_plural': 'rating links',
                        'db_table': 'portal_ratinglink',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
