# The change-log proxy needs django-auditlog's table, which itself needs the user model: so it
# comes after the user model's migration, not in it.
import django.db.models.manager
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("core", "0002_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name='ChangeLogEntry',
            fields=[
            ],
            options={
                'verbose_name': 'change-log entry',
                'verbose_name_plural': 'change log',
                'ordering': ['-timestamp', '-pk'],
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('auditlog.logentry',),
        ),
    ]
