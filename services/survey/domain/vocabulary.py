"""The fixed vocabulary of the satisfaction survey (SPEC §4, seed 001 §一2).

Code names in English, the Chinese kept as labels.  Pure data: no nameko, no SQLAlchemy.
"""
from __future__ import annotations

#: Answer codes, packed one character per item.  不了解 ("don't know") counts as no answer.
SATISFIED = "S"
BASIC = "B"
DISSATISFIED = "D"
UNKNOWN = "N"
ANSWER_CODES = (SATISFIED, BASIC, DISSATISFIED, UNKNOWN)
ANSWER_LABELS = {SATISFIED: "满意", BASIC: "基本满意", DISSATISFIED: "不满意", UNKNOWN: "不了解"}

#: The six dimensions, in the seed's order: 德 能 勤 绩 廉 学 (001 §一2).
DIMENSIONS = ("morality", "ability", "diligence", "results", "integrity", "learning")
DIMENSION_LABELS = {
    "morality": "德", "ability": "能", "diligence": "勤",
    "results": "绩", "integrity": "廉", "learning": "学",
}

#: The ten respondent groups, in the seed's order (001 §一2).
RESPONDENT_GROUPS = (
    "superior_departments", "deputies", "bureau_heads", "business_owners", "venue_operators",
    "parents", "case_parties", "officer_families", "retired_staff", "officers",
)
GROUP_LABELS = {
    "superior_departments": "上级政法部门",
    "deputies": "人大代表和政协委员",
    "bureau_heads": "科局单位一把手",
    "business_owners": "企业负责人",
    "venue_operators": "公共复杂场所经营者",
    "parents": "学生家长",
    "case_parties": "案件当事人",
    "officer_families": "政法干警家属",
    "retired_staff": "政法系统离退休老干部",
    "officers": "政法干警",
}

#: Who is surveyed: agencies (局院), sections (科股庭所队室) and officers (干警) (001 §一2).
SUBJECT_KINDS = ("agency", "section", "officer")
SUBJECT_KIND_LABELS = {"agency": "政法单位", "section": "科室", "officer": "干警"}

#: Default questionnaire size: "德、能、勤、绩、廉、学六个方面细化为35项" (001 §一2).
DEFAULT_ITEM_COUNT = 35

#: The recognition poll (公认度测评, 001 §一4, SPEC §3.3): the committee's secretary and deputy
#: secretaries report on their work (述职) every half year before the agencies' leading-group
#: members (政法局院班子成员), who answer a questionnaire of its own.  Its respondent group and subject
#: kind are not among the satisfaction survey's ten groups and three kinds.
SATISFACTION, RECOGNITION = "satisfaction", "recognition"
CAMPAIGN_KINDS = (SATISFACTION, RECOGNITION)
LEADING_GROUP_MEMBERS = "leading_group_members"
POLL_GROUPS = (LEADING_GROUP_MEMBERS,)
GROUP_LABELS[LEADING_GROUP_MEMBERS] = "政法局院班子成员"
POLL_SUBJECT_KINDS = ("leader",)
SUBJECT_KIND_LABELS["leader"] = "政法委书记、副书记"
#: Every group a form may carry, in the order of the stored index (the ten, then the poll's).
ALL_GROUPS = RESPONDENT_GROUPS + POLL_GROUPS
RECOGNITION_LABELS = {SATISFIED: "认可", BASIC: "基本认可", DISSATISFIED: "不认可", UNKNOWN: "不了解"}
