# Schema, step 1 of 3 of encrypting the special-category fields of reception (finding 8): the columns become
# text for ciphertext, constraints that compared dates or values go (the services check them), the new columns
# (row_uid, kind_ref, place_ref) stay nullable until 0004 has filled them. 0004 encrypts the rows, 0005 tightens.

import core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reception', '0002_seed_tests_and_vaccines'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='growthmeasurement',
            options={'ordering': ['id'], 'verbose_name': 'growth measurement', 'verbose_name_plural': 'growth measurements'},
        ),
        migrations.AlterModelOptions(
            name='medicaltest',
            options={'ordering': ['-id'], 'verbose_name': 'medical test', 'verbose_name_plural': 'medical tests'},
        ),
        migrations.AlterModelOptions(
            name='quarantine',
            options={'ordering': ['-id'], 'verbose_name': 'quarantine', 'verbose_name_plural': 'quarantines'},
        ),
        migrations.AlterModelOptions(
            name='treatment',
            options={'ordering': ['-id'], 'verbose_name': 'treatment or referral', 'verbose_name_plural': 'treatments and referrals'},
        ),
        migrations.AlterModelOptions(
            name='vaccination',
            options={'ordering': ['id'], 'verbose_name': 'vaccination', 'verbose_name_plural': 'vaccinations'},
        ),
        migrations.RemoveConstraint(
            model_name='growthmeasurement',
            name='growth_measurement_measures_something',
        ),
        migrations.RemoveConstraint(
            model_name='legalassessment',
            name='legal_assessment_valid_after_decision',
        ),
        migrations.RemoveConstraint(
            model_name='medicaltest',
            name='medical_test_result_after_taking',
        ),
        migrations.RemoveConstraint(
            model_name='quarantine',
            name='quarantine_ordered_dates',
        ),
        migrations.AddField(
            model_name='growthmeasurement',
            name='row_uid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='medicaltest',
            name='kind_ref',
            field=core.crypto.EncryptedIntegerField(null=True, verbose_name='test'),
        ),
        # The foreign keys replaced by encrypted ids become optional, so that reversing 0005 can add them back.
        migrations.AlterField(
            model_name='medicaltest',
            name='kind',
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name='+', to='reception.testkind',
                verbose_name='test',
            ),
        ),
        migrations.AlterField(
            model_name='quarantine',
            name='place',
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name='+', to='people.place',
                verbose_name='place',
            ),
        ),
        migrations.AddField(
            model_name='quarantine',
            name='place_ref',
            field=core.crypto.EncryptedIntegerField(null=True, verbose_name='place'),
        ),
        migrations.AddField(
            model_name='vaccination',
            name='row_uid',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='acute_malnutrition',
            field=core.crypto.EncryptedTextField(blank=True, choices=[('none', 'None'), ('moderate', 'Moderate'), ('severe', 'Severe')], editable=False, max_length=8, verbose_name='acute malnutrition'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='age_days',
            field=core.crypto.EncryptedIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='baz',
            field=core.crypto.EncryptedFloatField(blank=True, editable=False, null=True, verbose_name='BMI-for-age z'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='haz',
            field=core.crypto.EncryptedFloatField(blank=True, editable=False, null=True, verbose_name='length/height-for-age z'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='height_cm',
            field=core.crypto.EncryptedDecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='length or height (cm)'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='measured_on',
            field=core.crypto.EncryptedDateField(verbose_name='measured on'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='muac_cm',
            field=core.crypto.EncryptedDecimalField(blank=True, decimal_places=1, max_digits=4, null=True, verbose_name='MUAC (cm)'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='oedema',
            field=core.crypto.EncryptedBooleanField(default=False, verbose_name='bilateral pitting oedema'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='position',
            field=core.crypto.EncryptedTextField(blank=True, choices=[('L', 'Lying (length)'), ('H', 'Standing (height)')], max_length=1, verbose_name='measured'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='stunting',
            field=core.crypto.EncryptedTextField(blank=True, choices=[('none', 'None'), ('moderate', 'Moderate'), ('severe', 'Severe')], editable=False, max_length=8, verbose_name='stunting'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='underweight',
            field=core.crypto.EncryptedTextField(blank=True, choices=[('none', 'None'), ('moderate', 'Moderate'), ('severe', 'Severe')], editable=False, max_length=8, verbose_name='underweight'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='waz',
            field=core.crypto.EncryptedFloatField(blank=True, editable=False, null=True, verbose_name='weight-for-age z'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='weight_kg',
            field=core.crypto.EncryptedDecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='weight (kg)'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='whz',
            field=core.crypto.EncryptedFloatField(blank=True, editable=False, null=True, verbose_name='weight-for-length/height z'),
        ),
        migrations.AlterField(
            model_name='growthmeasurement',
            name='z_notes',
            field=core.crypto.EncryptedJSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AlterField(
            model_name='legalassessment',
            name='authority',
            field=core.crypto.EncryptedTextField(max_length=200, verbose_name='authority'),
        ),
        migrations.AlterField(
            model_name='legalassessment',
            name='valid_until',
            field=core.crypto.EncryptedDateField(blank=True, null=True, verbose_name='valid until'),
        ),
        migrations.AlterField(
            model_name='medicaltest',
            name='result_on',
            field=core.crypto.EncryptedDateField(blank=True, null=True, verbose_name='result on'),
        ),
        migrations.AlterField(
            model_name='medicaltest',
            name='taken_on',
            field=core.crypto.EncryptedDateField(verbose_name='taken on'),
        ),
        migrations.AlterField(
            model_name='quarantine',
            name='ends_on',
            field=core.crypto.EncryptedDateField(verbose_name='ends on'),
        ),
        migrations.AlterField(
            model_name='quarantine',
            name='starts_on',
            field=core.crypto.EncryptedDateField(verbose_name='starts on'),
        ),
        migrations.AlterField(
            model_name='treatment',
            name='kind',
            field=core.crypto.EncryptedTextField(choices=[('treatment', 'Treatment'), ('surgery', 'Surgery'), ('nutrition', 'Nutritional support'), ('referral', 'Referral')], max_length=12, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='treatment',
            name='on',
            field=core.crypto.EncryptedDateField(verbose_name='date'),
        ),
        migrations.AlterField(
            model_name='treatment',
            name='referred_to',
            field=core.crypto.EncryptedTextField(blank=True, max_length=200, verbose_name='referred to'),
        ),
        migrations.AlterField(
            model_name='vaccination',
            name='batch',
            field=core.crypto.EncryptedTextField(blank=True, max_length=60, verbose_name='batch'),
        ),
        migrations.AlterField(
            model_name='vaccination',
            name='given_on',
            field=core.crypto.EncryptedDateField(verbose_name='given on'),
        ),
    ]
