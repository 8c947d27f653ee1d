"""The compare view after Reveal, when the person rated it themselves (issue 15 item 5)."""

from __future__ import annotations

from psi_desktop.domain.model import Perspective, ServiceUserSource
from tests.ui.test_walkthrough import profile, rate, shot, start, stored, window  # noqa: F401  (fixtures)


def test_the_persons_own_view_is_compared_with_each_of_the_staff(qtbot, window, screenshot):  # noqa: F811
    screen = start(qtbot, window)
    session = screen.session
    session.start_self_rating()  # as hand-over mode does; the person's ratings go in by the session
    for dimension, score in {"safety.trust": 1, "identity.equality": 3, "power.choice": 2}.items():
        session.set_rating(Perspective.SERVICE_USER, dimension, score)
    screen.go_to("safety")
    rate(qtbot, screen, Perspective.PRACTITIONER, {"safety.trust": 4, "power.choice": 2})
    screen.go_to("identity")
    rate(qtbot, screen, Perspective.PRACTITIONER, {"identity.equality": 3})
    screen.go_to("supervisor")
    rate(qtbot, screen, Perspective.SUPERVISOR, {"safety.trust": 4, "identity.equality": 1, "power.choice": 2})
    screen.flush()
    assert stored(window).service_user_source is ServiceUserSource.SELF_RATED

    screen.reveal()
    view = screen.compare_view
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers == [
        "Dimension",
        "Practitioner",
        "Supervisor",
        "Service user (rated it themselves)",
        "2 or more apart",
    ]
    rows = {view.table.item(r, 0).text(): view.table.item(r, 4).text() for r in range(view.table.rowCount())}
    assert rows["Trust"] == "You and the person; the supervisor and the person"
    assert rows["Equality"] == "You and the supervisor; the supervisor and the person"
    assert rows["Voice and choice"] == ""
    # The person 2 or more from the practitioner is a point to talk about, in their own words' name.
    assert "You rated Trust 4; they rated it themselves 1" in view.points_label.text()
    shot(qtbot, screenshot, window, "walkthrough-compare-own-view")
