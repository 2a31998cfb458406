"""Settings of the moderation package, composed into vkbot's Config under [moderation]."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Word lists and patterns shipped with the package; a configured folder replaces it as a whole.
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
# The learned tier's model, trained by `vkbot moderation train` and shipped with the package.
DEFAULT_LEARNED_MODEL = Path(__file__).resolve().parent / "model" / "learned.npz"


class ModerationSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Folder of the rule files (obscenity, insults, threats, self-harm, spam, look-alikes, allowlist).
    data_dir: Path = DEFAULT_DATA_DIR
    # Rule signals at or above this score hide a message (outside protected conversations).
    rule_quarantine_score: float = Field(0.8, ge=0, le=1)
    # Rule signals at or above this score (and below the one above) mark a message but keep it shown.
    rule_flag_score: float = Field(0.5, ge=0, le=1)
    # A message that itself carries an order (photos, order words) is at most flagged: an order is
    # never abusive, and the first message of an order has no protected conversation yet.
    order_content_protects: bool = True

    # Learned tier (a linear model shipped in the package): above ``hide`` it hides (outside order
    # conversations, never an order or a question), from ``review`` it sends the item to review (shown,
    # marked). Unset thresholds are the ones the model was calibrated with on out-of-fold data.
    learned_enabled: bool = True
    learned_model: Path = DEFAULT_LEARNED_MODEL
    learned_hide_threshold: float | None = Field(None, ge=0, le=1)
    learned_review_threshold: float | None = Field(None, ge=0, le=1)

    # Detoxify tier: a score alone flags; it hides only above the second threshold and only if enabled.
    ml_flag_threshold: float = Field(0.8, ge=0, le=1)
    ml_quarantine_threshold: float = Field(0.95, ge=0, le=1)
    ml_quarantine_enabled: bool = False
    ml_checkpoint: Path = Path("vkbot-data/models/detoxify-multilingual.ckpt")
    ml_hf_dir: Path = Path("vkbot-data/models/xlm-roberta-base")
    ml_batch_size: int = Field(16, ge=1, le=256)

    # Comments under a memorial post (a family's clip): what the rules or Detoxify would only mark for
    # review is hidden there; self-harm is still shown, and a mourner's words keep the usual thresholds.
    # The learned score keeps its own (its review band there deleted condolences: see moderation.policy).
    memorial_comments_strict: bool = True

    # Repeat offenders: N hidden items within M days make a ban proposal.
    repeat_offender_count: int = Field(3, ge=1)
    repeat_offender_days: int = Field(30, ge=1)
    auto_ban: bool = False
    ban_days: int = Field(30, ge=1)

    # Told to people whose messages signal suicidal thoughts (Russian free psychological help line).
    support_line: str = "8-800-2000-122"
    # Delete a quarantined private message from the community's VK inbox after it is stored.
    delete_quarantined_from_vk_inbox: bool = False

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> ModerationSettings:
        if self.rule_flag_score > self.rule_quarantine_score:
            raise ValueError("rule_flag_score must not exceed rule_quarantine_score")
        review, hide = self.learned_review_threshold, self.learned_hide_threshold
        if review is not None and hide is not None and review > hide:
            raise ValueError("learned_review_threshold must not exceed learned_hide_threshold")
        if self.ml_flag_threshold > self.ml_quarantine_threshold:
            raise ValueError("ml_flag_threshold must not exceed ml_quarantine_threshold")
        return self
