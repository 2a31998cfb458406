"""Parameters follow VK's conventions, and the package's public surface is pinned."""

from __future__ import annotations

import vkbot.api
from vkbot.api import USER_TOKEN_METHODS, encode_params


def test_params_are_encoded_the_way_vk_reads_them() -> None:
    encoded = encode_params(
        {
            "peer_id": 5,
            "from_group": True,
            "dont_parse_links": False,
            "attachment": ["photo-1_2_ab", "doc-1_3"],
            "keyboard": {"one_time": False, "buttons": [[{"action": {"type": "text", "label": "Статус"}}]]},
            "reply_to": None,
            "message": "Светлая память",
        }
    )
    assert encoded == {
        "peer_id": 5,
        "from_group": 1,
        "dont_parse_links": 0,
        "attachment": "photo-1_2_ab,doc-1_3",
        "keyboard": '{"one_time":false,"buttons":[[{"action":{"type":"text","label":"Статус"}}]]}',
        "message": "Светлая память",
    }


def test_the_user_token_table_matches_vk_api_md_section_3() -> None:
    assert {
        "wall.post",
        "wall.deleteComment",
        "groups.ban",
        "video.save",
        "photos.saveWallPhoto",
    } <= USER_TOKEN_METHODS
    assert (
        not {"messages.send", "wall.createComment", "execute", "groups.getLongPollServer"}
        & USER_TOKEN_METHODS
    )


def test_public_surface() -> None:
    assert {
        "VkClient",
        "VkError",
        "VkApiError",
        "VkTransportError",
        "UserTokenSource",
        "error_from_payload",
        "is_retryable",
        "USER_TOKEN_METHODS",
        "UserTokenMissing",
    } <= set(vkbot.api.__all__)
    for name in vkbot.api.__all__:
        assert hasattr(vkbot.api, name)
