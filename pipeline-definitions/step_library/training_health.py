"""Training health: the failure modes SageMaker Debugger's built-in rules catch, watched by the
training script itself so that every account can gate on them.

The report (``training_health.json``, the contract's ``reports.trainingHealth``) is written with
the model and to the job's output data:

    {"status": "healthy" | "unhealthy",
     "checks": {"<check>": {"passed": bool, "detail": "..."}},
     "summary": {...}}

Checks: ``nan_or_inf`` (a loss or gradient norm that is not finite), ``exploding_gradient``
(a gradient norm above ``max_grad_norm``), ``vanishing_gradient`` (most gradient norms below
``min_grad_norm``), ``loss_not_decreasing`` (the last third of the training losses is not lower
than the first third by ``min_loss_improvement``), ``overfitting`` (validation loss rising for
``overfit_patience`` evaluations in a row while training loss falls).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from statistics import mean

from contract import REPORT_FILES
from reports import finite


@dataclass
class HealthThresholds:
    max_grad_norm: float = 1.0e3
    min_grad_norm: float = 1.0e-7
    vanishing_share: float = 0.5
    min_loss_improvement: float = 0.0
    overfit_patience: int = 3
    min_steps_for_trend: int = 6


@dataclass
class TrainingHealth:
    thresholds: HealthThresholds = field(default_factory=HealthThresholds)
    train_losses: list[float] = field(default_factory=list)
    grad_norms: list[float] = field(default_factory=list)
    validation_losses: list[float] = field(default_factory=list)
    train_loss_at_validation: list[float] = field(default_factory=list)

    def record_step(self, loss: float, grad_norm: float) -> None:
        self.train_losses.append(float(loss))
        self.grad_norms.append(float(grad_norm))

    def record_validation(self, validation_loss: float) -> None:
        self.validation_losses.append(float(validation_loss))
        recent = self.train_losses[-max(1, len(self.train_losses) // max(1, len(self.validation_losses))) :]
        self.train_loss_at_validation.append(mean(recent) if recent else math.nan)

    @property
    def diverged(self) -> bool:
        """True once a loss or gradient norm is not finite: training should stop."""
        return any(not math.isfinite(v) for v in self.train_losses[-1:] + self.grad_norms[-1:])

    def report(self) -> dict:
        t = self.thresholds
        checks: dict[str, dict] = {}
        values = self.train_losses + self.grad_norms + self.validation_losses
        bad = [v for v in values if not math.isfinite(v)]
        checks["nan_or_inf"] = {"passed": not bad, "detail": f"{len(bad)} non-finite values"}
        finite_norms = [g for g in self.grad_norms if math.isfinite(g)]
        largest = max(finite_norms, default=0.0)
        exploded = largest > t.max_grad_norm or any(math.isinf(g) for g in self.grad_norms)
        checks["exploding_gradient"] = {
            "passed": not exploded,
            "detail": f"largest gradient norm {largest:.4g} (limit {t.max_grad_norm:g})",
        }
        tiny = [g for g in finite_norms if g < t.min_grad_norm]
        share = len(tiny) / len(finite_norms) if finite_norms else 0.0
        checks["vanishing_gradient"] = {
            "passed": share <= t.vanishing_share,
            "detail": f"{share:.0%} of gradient norms below {t.min_grad_norm:g}",
        }
        losses = self.train_losses
        if any(not math.isfinite(v) for v in losses):
            decreasing, detail = False, "the training loss became non-finite"
        elif len(losses) < t.min_steps_for_trend:
            decreasing, detail = True, f"{len(losses)} steps: too few to judge a trend"
        else:
            third = len(losses) // 3
            first, last = mean(losses[:third]), mean(losses[-third:])
            decreasing = last < first * (1.0 - t.min_loss_improvement)
            detail = f"mean loss {first:.4f} in the first third of the steps, {last:.4f} in the last"
        checks["loss_not_decreasing"] = {"passed": decreasing, "detail": detail}
        rising = 0
        for i in range(1, len(self.validation_losses)):
            val_up = self.validation_losses[i] > self.validation_losses[i - 1]
            train_down = self.train_loss_at_validation[i] < self.train_loss_at_validation[i - 1]
            rising = rising + 1 if val_up and train_down else 0
            if rising >= t.overfit_patience:
                break
        checks["overfitting"] = {
            "passed": rising < t.overfit_patience,
            "detail": f"validation loss rose {rising} times in a row while training loss fell (limit {t.overfit_patience})",
        }
        healthy = all(check["passed"] for check in checks.values())
        return {
            "status": "healthy" if healthy else "unhealthy",
            "checks": checks,
            "summary": {
                "steps": len(self.train_losses),
                "first_loss": self.train_losses[0] if self.train_losses else None,
                "last_loss": self.train_losses[-1] if self.train_losses else None,
                "validation_losses": self.validation_losses,
            },
        }

    def write(self, *directories: str) -> dict:
        report = self.report()
        text = json.dumps(finite(report), indent=2, allow_nan=False)
        for directory in directories:
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, REPORT_FILES.training_health), "w", encoding="utf-8") as handle:
                handle.write(text)
        return report
