"""A campaign walked to its announcement through the services: the nominees hold the honor with a certificate."""

from __future__ import annotations

from datetime import timedelta

from gonghui.honors.models import HonorHeld
from gonghui.honors.services import (
    campaign_announce,
    campaign_publish,
    list_submit,
    nomination_create,
    nomination_review,
)
from gonghui.honors.tests.conftest import HonorWorld
from gonghui.notices.services import publication_close


def award(hw: HonorWorld, *indices: int) -> list[HonorHeld]:
    """Nominate `hw.members[i]` (front-line), review at the county and the city, publish, close, announce."""
    nominations = [
        nomination_create(
            **hw.as_("unit"),
            campaign=hw.campaign,
            org=hw.tree.courier_union,
            membership=hw.members[i],
            deeds="配送零差错",
            front_line=True,
        )
        for i in indices
    ]
    list_submit(**hw.as_("unit"), campaign=hw.campaign, org=hw.tree.courier_union)
    for n in nominations:
        nomination_review(**hw.as_("county_reviewer"), nomination=n, decision="approve")
    list_submit(**hw.as_("county_officer"), campaign=hw.campaign, org=hw.tree.zhongshan)
    for n in nominations:
        nomination_review(**hw.as_("city_reviewer"), nomination=n, decision="approve")
    campaign = campaign_publish(**hw.as_("city_officer"), campaign=hw.campaign, days=5)
    assert campaign.publication is not None
    publication = campaign.publication
    publication_close(**hw.as_("city_officer"), publication=publication, on=publication.ends_on + timedelta(1))
    return campaign_announce(**hw.as_("city_officer"), campaign=campaign)
