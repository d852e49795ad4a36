"""The step code's behaviour checked against a contract (contract.json, as contract.Contract).

Each ``*_findings`` function runs the real step code (inference handlers, feature records, report
writers, the monitor with stand-in AWS clients, the model-quality gate) and returns a list of drift
findings, one line each, starting with the contract item it concerns (``labels``,
``response.label``, ``featureGroups.reviews.features``, ``eventTime.strftime``, ``splits``,
``reports.<key>``, ``metricNamespace``, ``monitorMetrics.<check>``, ``modelQualityConstraints.<key>``,
``modelQualityMetrics``, ...). The shipped code against the shipped contract has none; a contract
copy with a changed value, or a step module whose value was changed, has one naming the item.

The step code reads the shipped contract.json when it is imported, so checking it against another
contract (:func:`planted_contract`) is checking what would drift if the file changed and the code
did not follow.
"""

from .common import planted_contract
from .features import feature_findings, label_feature_findings, label_findings
from .monitoring import monitor_findings
from .report_files import model_quality_findings, report_findings
from .serving import clarify_config_findings, preprocessor_findings, response_findings

__all__ = [
    "clarify_config_findings",
    "feature_findings",
    "label_feature_findings",
    "label_findings",
    "model_quality_findings",
    "monitor_findings",
    "planted_contract",
    "preprocessor_findings",
    "report_findings",
    "response_findings",
]
