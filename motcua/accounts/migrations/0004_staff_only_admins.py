"""Issue 16: ``is_staff`` (the key to /admin/) only for superusers and administrators.

Until now every account created by ``accounts.services.user_create_or_update`` (the demo's
clerks, officers and leaders among them) had it; this takes it back from everyone else.
Reversing restores nothing (who had it before is not recorded, and nobody should).
"""

from django.db import migrations


def staff_only_admins(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    administrators = RoleAssignment.objects.filter(role="admin").values("user_id")
    User.objects.filter(is_staff=True, is_superuser=False).exclude(pk__in=administrators).update(
        is_staff=False
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_ratecounter")]

    operations = [migrations.RunPython(staff_only_admins, migrations.RunPython.noop)]
