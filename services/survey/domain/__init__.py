"""The survey's pure domain: vocabulary, questionnaires, campaigns, forms and rates.

No nameko, no SQLAlchemy: every rule of SPEC §4 / seed 001 §一2 lives here and is unit-tested.
"""
from .campaign import (CLOSED, OPEN, Campaign, close_campaign, ensure_open_for_forms,  # noqa: F401
                       validate_groups, validate_period, validate_subjects)
from .forms import (REASONS, Form, FormError, answer_code, check_batch, check_form,  # noqa: F401
                    Batch, blank_count, check_batch_columns, is_blank, pack_answers, pack_cells,
                    split_new_and_duplicates, split_new_batch, strict_accepts)
from .questionnaire import (DEFAULT_KEY, Questionnaire, default_questionnaire,  # noqa: F401
                            dimension_runs, ensure_questionnaire_can_change, next_version,
                            validate_items)
from .rates import (Cell, Counts, below_disqualification_line, cells_of, counts_dict,  # noqa: F401
                    event_subjects, format_rate, pool_by_agency, meets_team_target, rate_report,
                    rate_report_pooled, rate_report_rows, satisfaction_rate, sum_rows, tally_answers, tally_arrays,
                    tally_by_key, tally_columns, tally_forms, add_pooled, sum_by_subject_group)
from .vocabulary import (ANSWER_CODES, DIMENSIONS, RESPONDENT_GROUPS,  # noqa: F401
                         SUBJECT_KINDS)
