"""PKCE per RFC 7636 and the secret box: the RFC's own example, verifier rules, keys that are missing or wrong."""

from __future__ import annotations

import pytest

from vkbot.auth.pkce import challenge_s256, make_state, make_verifier
from vkbot.auth.secretbox import MissingSecretKey, SecretBox, UnreadableSecret, new_key
from vkbot.sandbox.vkid import challenge_of


def test_the_challenge_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert challenge_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_fresh_verifiers_follow_the_rfc_and_differ() -> None:
    verifiers = {make_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    for verifier in verifiers:
        assert 43 <= len(verifier) <= 128
        assert challenge_s256(verifier) == challenge_of(verifier)  # what VK ID (the sandbox) computes
    assert make_state() != make_state()


@pytest.mark.parametrize(
    "verifier", ["short", "x" * 129, "has spaces in it and is long enough to pass 43", "é" * 50]
)
def test_malformed_verifiers_are_refused(verifier: str) -> None:
    with pytest.raises(ValueError, match="43-128"):
        challenge_s256(verifier)


def test_a_missing_key_names_the_variable() -> None:
    with pytest.raises(MissingSecretKey, match="VKBOT_SECRET_KEY is not set"):
        SecretBox.from_environment("", environ={})


def test_a_malformed_key_names_the_variable_without_echoing_it() -> None:
    with pytest.raises(MissingSecretKey, match="VKBOT_SECRET_KEY is not a valid key") as caught:
        SecretBox.from_environment("", environ={"VKBOT_SECRET_KEY": "hunter2-not-a-fernet-key"})
    assert "hunter2" not in str(caught.value)


def test_the_environment_wins_over_the_configured_key_and_a_wrong_key_cannot_read() -> None:
    env_key, configured = new_key(), new_key()
    sealed = SecretBox.from_environment(configured, environ={"VKBOT_SECRET_KEY": env_key}).encrypt(
        "vk1.r.abc"
    )
    assert "vk1.r.abc" not in sealed
    assert SecretBox(env_key).decrypt(sealed) == "vk1.r.abc"
    with pytest.raises(UnreadableSecret, match="VKBOT_SECRET_KEY") as caught:
        SecretBox(configured).decrypt(sealed)
    assert "vk1.r.abc" not in str(caught.value)
