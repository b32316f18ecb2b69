from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    name = "motcua.steering"
    label = "steering"
    verbose_name = _("Steering committee")

    def ready(self) -> None:
        # The briefing (reports, a layer below) words the committee's records: this app
        # tells it where to read them, so reports never imports steering.
        from motcua.reports.briefing import steering_facts_source_set
        from motcua.steering.selectors import briefing_steering_facts

        steering_facts_source_set(briefing_steering_facts)
