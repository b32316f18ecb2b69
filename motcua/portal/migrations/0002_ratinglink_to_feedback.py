# The rating links moved to the feedback app (rating links are feedback's, and the applicant's
# e-mail in the dossiers domain creates them). State only: the table keeps its name and rows;
# feedback.0002 takes the model over with db_table="portal_ratinglink".

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RatingLink')],
            database_operations=[],
        ),
    ]
