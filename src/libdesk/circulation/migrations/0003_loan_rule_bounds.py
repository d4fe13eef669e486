"""Loan rules within bounds: periods and counts a person would type, amounts never negative."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0002_loan_renewed_on"),
    ]

    operations = [
        migrations.AlterField(
            model_name="loanrule",
            name="fine_cap",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=8,
                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
            ),
        ),
        migrations.AlterField(
            model_name="loanrule",
            name="fine_per_day",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=8,
                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
            ),
        ),
        migrations.AlterField(
            model_name="loanrule",
            name="loan_days",
            field=models.PositiveIntegerField(
                validators=[django.core.validators.MaxValueValidator(3660)]
            ),
        ),
        migrations.AlterField(
            model_name="loanrule",
            name="lost_charge",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=8,
                validators=[django.core.validators.MinValueValidator(Decimal("0.00"))],
            ),
        ),
        migrations.AlterField(
            model_name="loanrule",
            name="max_holds",
            field=models.PositiveIntegerField(
                validators=[django.core.validators.MaxValueValidator(10000)]
            ),
        ),
        migrations.AlterField(
            model_name="loanrule",
            name="max_items",
            field=models.PositiveIntegerField(
                validators=[django.core.validators.MaxValueValidator(10000)]
            ),
        ),
        migrations.AlterField(
            model_name="loanrule",
            name="renewals",
            field=models.PositiveIntegerField(
                validators=[django.core.validators.MaxValueValidator(10000)]
            ),
        ),
    ]
