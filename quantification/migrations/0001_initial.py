"""The calculation models move from `parcels` to this app; their tables stay where they are.
"""

import django.core.validators
import django.db.models.deletion
import pichanaki.indexes
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MOVED = ["calculationrun", "parameterset", "parcelresult", "parcelvintage", "plotresult",
         "runvintage", "stratumresult", "treeresult"]


def move_content_types(apps, schema_editor):
    """Keep permissions and admin history attached: the content types change app, not rows."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="parcels", model__in=MOVED).update(
        app_label="quantification"
    )


def back_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="quantification", model__in=MOVED).update(
        app_label="parcels"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('parcels', '0014_merge_outbox_and_failure_code'),
        ('smallholders', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables, constraints and indexes keep their names and data.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ParameterSet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(verbose_name='version')),
                        ('parameters', models.JSONField(verbose_name='parameters')),
                        ('fingerprint', models.CharField(max_length=64, verbose_name='fingerprint')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='parameter_sets', to='smallholders.project', verbose_name='project')),
                    ],
                    options={
                        'verbose_name': 'parameter set',
                        'verbose_name_plural': 'parameter sets',
                        'db_table': 'parcels_parameterset',
                        'ordering': ['project', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='CalculationRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('dispatched_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='sent to the job queue at')),
                        ('dispatch_attempts', models.PositiveIntegerField(default=0, editable=False, verbose_name='attempts to send to the job queue')),
                        ('kind', models.CharField(choices=[('ex_ante', 'Ex-ante projection'), ('ex_post', 'Ex-post monitoring')], max_length=8, verbose_name='kind')),
                        ('period_start', models.DateField(verbose_name='period start')),
                        ('period_end', models.DateField(verbose_name='period end')),
                        ('project_emissions_tco2e', models.DecimalField(decimal_places=3, default=Decimal('0'), help_text='Monitored greenhouse-gas emissions of the project activities in the period (ex-post runs); deducted from the stock change.', max_digits=15, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='project emissions GHG_E (tCO2e)')),
                        ('method_version', models.CharField(max_length=40, verbose_name='method version')),
                        ('input_hash', models.CharField(blank=True, max_length=64, verbose_name='input hash (SHA-256)')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='queued', max_length=10, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('review_note', models.TextField(blank=True, verbose_name='review note')),
                        ('queued_at', models.DateTimeField(auto_now_add=True, verbose_name='queued at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='reviewed at')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('failure_code', models.CharField(blank=True, help_text='Why a failed run failed (see quantification.failures).', max_length=40, verbose_name='failure code')),
                        ('failure_params', models.JSONField(blank=True, default=dict, verbose_name='failure parameters')),
                        ('warnings', models.JSONField(blank=True, default=list, verbose_name='warnings')),
                        ('details', models.JSONField(blank=True, default=dict, help_text='Every intermediate of the computation (issuance steps, height models, effective parameters, projection), for audit.', verbose_name='calculation details')),
                        ('n_trees', models.PositiveIntegerField(default=0, verbose_name='trees')),
                        ('n_plots', models.PositiveIntegerField(default=0, verbose_name='plots')),
                        ('area_ha', models.DecimalField(decimal_places=4, max_digits=12, null=True, verbose_name='area (ha)')),
                        ('stock_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='stock C(t2) (tCO2e)')),
                        ('previous_stock_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='stock C(t1) (tCO2e)')),
                        ('mean_tco2e_ha', models.DecimalField(decimal_places=4, max_digits=12, null=True, verbose_name='mean (tCO2e/ha)')),
                        ('se_tco2e_ha', models.DecimalField(decimal_places=4, max_digits=12, null=True, verbose_name='standard error (tCO2e/ha)')),
                        ('uncertainty_pct', models.DecimalField(decimal_places=4, max_digits=9, null=True, verbose_name='uncertainty (% of mean, 90% CI)')),
                        ('delta_c_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='stock change ΔC_P (tCO2e)')),
                        ('deduction_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='uncertainty deduction (tCO2e)')),
                        ('emissions_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='project emissions (tCO2e)')),
                        ('baseline_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='baseline ΔC_BSL (tCO2e)')),
                        ('leakage_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='leakage (tCO2e)')),
                        ('net_tco2e', models.DecimalField(decimal_places=3, max_digits=15, null=True, verbose_name='net removals ΔC_NET (tCO2e)')),
                        ('buffer_tco2e', models.BigIntegerField(null=True, verbose_name='buffer (tCO2e)')),
                        ('issuable_tco2e', models.BigIntegerField(null=True, verbose_name='issuable (tCO2e)')),
                        ('previous_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='quantification.calculationrun', verbose_name='previous verified run')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='calculation_runs', to='smallholders.project', verbose_name='project')),
                        ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved or rejected by')),
                        ('started_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
                        ('parameter_set', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='runs', to='quantification.parameterset', verbose_name='parameter set')),
                    ],
                    options={
                        'verbose_name': 'calculation run',
                        'verbose_name_plural': 'calculation runs',
                        'db_table': 'parcels_calculationrun',
                        'ordering': ['-queued_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ParcelResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('basis', models.CharField(choices=[('plots', 'Own plots'), ('stratum', 'Stratum mean'), ('plantings', 'Plantings (projection)')], max_length=10, verbose_name='basis')),
                        ('area_ha', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='area (ha)')),
                        ('n_plots', models.PositiveIntegerField(verbose_name='plots')),
                        ('n_trees', models.PositiveIntegerField(verbose_name='trees')),
                        ('stock_tco2e', models.DecimalField(decimal_places=3, max_digits=15, verbose_name='stock (tCO2e)')),
                        ('change_tco2e', models.DecimalField(decimal_places=3, max_digits=15, verbose_name='stock change (tCO2e)')),
                        ('baseline_stock_tco2e', models.DecimalField(decimal_places=3, default=0, max_digits=15, verbose_name="pre-existing trees' stock (tCO2e)")),
                        ('net_tco2e', models.DecimalField(decimal_places=3, max_digits=15, verbose_name='net contribution (tCO2e)')),
                        ('issuable_tco2e', models.BigIntegerField(verbose_name='issuable (tCO2e)')),
                        ('parcel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.parcel', verbose_name='parcel')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parcels', to='quantification.calculationrun', verbose_name='run')),
                        ('stratum', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.stratum', verbose_name='stratum')),
                    ],
                    options={
                        'verbose_name': 'parcel result',
                        'verbose_name_plural': 'parcel results',
                        'db_table': 'parcels_parcelresult',
                        'ordering': ['run', 'parcel'],
                    },
                ),
                migrations.CreateModel(
                    name='ParcelVintage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='vintage')),
                        ('issuable_tco2e', models.BigIntegerField(verbose_name='issuable (tCO2e)')),
                        ('parcel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.parcel', verbose_name='parcel')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parcel_vintages', to='quantification.calculationrun', verbose_name='run')),
                    ],
                    options={
                        'verbose_name': 'parcel vintage',
                        'verbose_name_plural': 'parcel vintages',
                        'db_table': 'parcels_parcelvintage',
                        'ordering': ['run', 'parcel', 'year'],
                    },
                ),
                migrations.CreateModel(
                    name='PlotResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_m2', models.DecimalField(decimal_places=2, max_digits=9, verbose_name='area (m²)')),
                        ('n_trees', models.PositiveIntegerField(verbose_name='trees')),
                        ('agb_t_ha', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='AGB (t/ha)')),
                        ('co2e_t_ha', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='CO2e (tCO2e/ha)')),
                        ('baseline_co2e_t_ha', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='pre-existing trees (tCO2e/ha)')),
                        ('parcel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.parcel', verbose_name='parcel')),
                        ('plot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.monitoringplot', verbose_name='plot')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plots', to='quantification.calculationrun', verbose_name='run')),
                    ],
                    options={
                        'verbose_name': 'plot result',
                        'verbose_name_plural': 'plot results',
                        'db_table': 'parcels_plotresult',
                        'ordering': ['run', 'plot'],
                    },
                ),
                migrations.CreateModel(
                    name='RunVintage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='vintage')),
                        ('net_tco2e', models.DecimalField(decimal_places=3, max_digits=15, verbose_name='net removals (tCO2e)')),
                        ('buffer_tco2e', models.BigIntegerField(verbose_name='buffer (tCO2e)')),
                        ('issuable_tco2e', models.BigIntegerField(verbose_name='issuable (tCO2e)')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='vintages', to='quantification.calculationrun', verbose_name='run')),
                    ],
                    options={
                        'verbose_name': 'run vintage',
                        'verbose_name_plural': 'run vintages',
                        'db_table': 'parcels_runvintage',
                        'ordering': ['run', 'year'],
                    },
                ),
                migrations.CreateModel(
                    name='StratumResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('area_ha', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='area (ha)')),
                        ('n_plots', models.PositiveIntegerField(verbose_name='plots')),
                        ('mean_tco2e_ha', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='mean (tCO2e/ha)')),
                        ('se_tco2e_ha', models.DecimalField(decimal_places=4, max_digits=12, null=True, verbose_name='standard error (tCO2e/ha)')),
                        ('uncertainty_pct', models.DecimalField(decimal_places=4, max_digits=9, null=True, verbose_name='uncertainty (%)')),
                        ('stock_tco2e', models.DecimalField(decimal_places=3, max_digits=15, verbose_name='stock (tCO2e)')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='strata', to='quantification.calculationrun', verbose_name='run')),
                        ('stratum', models.ForeignKey(help_text='Empty: the parcels without a stratum, estimated together.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.stratum', verbose_name='stratum')),
                    ],
                    options={
                        'verbose_name': 'stratum result',
                        'verbose_name_plural': 'stratum results',
                        'db_table': 'parcels_stratumresult',
                        'ordering': ['run', 'stratum'],
                    },
                ),
                migrations.CreateModel(
                    name='TreeResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('wood_density', models.FloatField(null=True, verbose_name='wood density (g/cm³)')),
                        ('wood_density_level', models.CharField(max_length=10, verbose_name='wood density level')),
                        ('height_m', models.FloatField(null=True, verbose_name='height (m)')),
                        ('height_source', models.CharField(max_length=20, verbose_name='height source')),
                        ('agb_raw_kg', models.FloatField(null=True, verbose_name='AGB before rules (kg)')),
                        ('agb_kg', models.FloatField(null=True, verbose_name='AGB credited (kg)')),
                        ('bgb_kg', models.FloatField(null=True, verbose_name='BGB (kg)')),
                        ('carbon_kg', models.FloatField(null=True, verbose_name='carbon (kg)')),
                        ('co2e_kg', models.FloatField(null=True, verbose_name='CO2e (kg)')),
                        ('equation', models.CharField(max_length=40, verbose_name='equation')),
                        ('flags', models.IntegerField(default=0, help_text="Bit mask of the engine's per-tree data flags.", verbose_name='flags')),
                        ('plot', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.monitoringplot', verbose_name='plot')),
                        ('run', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='trees', to='quantification.calculationrun', verbose_name='run')),
                        ('tree_measurement', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='parcels.treemeasurement', verbose_name='tree measurement')),
                    ],
                    options={
                        'verbose_name': 'tree result',
                        'verbose_name_plural': 'tree results',
                        'db_table': 'parcels_treeresult',
                        'ordering': ['run', 'tree_measurement'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='parameterset',
                    constraint=models.UniqueConstraint(fields=('project', 'version'), name='parcels_parameterset_unique_version', violation_error_message='This project already has this parameter-set version.'),
                ),
                migrations.AddConstraint(
                    model_name='parameterset',
                    constraint=models.CheckConstraint(condition=models.Q(('version__gte', 1)), name='parcels_parameterset_version_positive', violation_error_message='Versions start at 1.'),
                ),
                migrations.AddIndex(
                    model_name='calculationrun',
                    index=models.Index(fields=['project', 'kind', 'status', 'period_end'], name='parcels_run_lookup_idx'),
                ),
                migrations.AddConstraint(
                    model_name='calculationrun',
                    constraint=models.CheckConstraint(condition=models.Q(('period_start__lte', models.F('period_end'))), name='parcels_calculationrun_period_order', violation_error_message='The period must end on or after its start.'),
                ),
                migrations.AddConstraint(
                    model_name='calculationrun',
                    constraint=models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='parcels_calculationrun_progress_range', violation_error_message='Progress is a percentage.'),
                ),
                migrations.AddConstraint(
                    model_name='calculationrun',
                    constraint=models.CheckConstraint(condition=models.Q(('project_emissions_tco2e__gte', 0)), name='parcels_calculationrun_emissions_not_negative', violation_error_message='Project emissions cannot be negative.'),
                ),
                migrations.AddConstraint(
                    model_name='parcelresult',
                    constraint=models.UniqueConstraint(fields=('run', 'parcel'), name='parcels_parcelresult_unique_parcel', violation_error_message='This run already has a result for this parcel.'),
                ),
                migrations.AddConstraint(
                    model_name='parcelvintage',
                    constraint=models.UniqueConstraint(fields=('run', 'parcel', 'year'), name='parcels_parcelvintage_unique_year', violation_error_message='This run already has this parcel and vintage.'),
                ),
                migrations.AddConstraint(
                    model_name='plotresult',
                    constraint=models.UniqueConstraint(fields=('run', 'plot'), name='parcels_plotresult_unique_plot', violation_error_message='This run already has a result for this plot.'),
                ),
                migrations.AddConstraint(
                    model_name='runvintage',
                    constraint=models.UniqueConstraint(fields=('run', 'year'), name='parcels_runvintage_unique_year', violation_error_message='This run already has this vintage.'),
                ),
                migrations.AddConstraint(
                    model_name='stratumresult',
                    constraint=models.UniqueConstraint(fields=('run', 'stratum'), name='parcels_stratumresult_unique_stratum', violation_error_message='This run already has a result for this stratum.'),
                ),
                migrations.AddIndex(
                    model_name='treeresult',
                    index=pichanaki.indexes.BlockRangeIndex(fields=['run'], name='parcels_treeresult_run_brin'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, back_content_types),
    ]
