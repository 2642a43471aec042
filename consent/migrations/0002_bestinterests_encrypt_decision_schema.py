# Schema, step 1 of 2 of encrypting the panel's decision and external members (finding 8): text columns for ciphertext.

import core.crypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('consent', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='bestinterestsdecision',
            name='decision',
            field=core.crypto.EncryptedTextField(choices=[('return', 'Return'), ('do_not_return', 'Do not return'), ('defer', 'Defer the decision')], max_length=16, verbose_name='decision'),
        ),
        migrations.AlterField(
            model_name='bestinterestsdecision',
            name='external_members',
            field=core.crypto.EncryptedTextField(blank=True, help_text='Names and roles of members without an account.', max_length=1000, verbose_name='external members'),
        ),
    ]
