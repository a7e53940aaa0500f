"""Two people save one report at the same moment: one wins, the other is told, nothing is lost."""

import threading

from django.db import connection
from django.test import TransactionTestCase

from soket.reports import services
from soket.reports.services import ReportConflict
from soket.testing import build_campaign, build_tree


class ConcurrentSavesTestCase(TransactionTestCase):
    def setUp(self):
        build_tree(self)
        build_campaign(self)
        self.report = services.report_for(campaign=self.campaign, unit=self.district_a1)

    def test_one_of_two_simultaneous_saves_wins_and_the_other_is_refused(self):
        revision = self.report.revision
        barrier = threading.Barrier(2)
        outcomes = {}

        def save(text):
            try:
                barrier.wait(timeout=10)
                services.report_save(
                    report=self.report,
                    by=self.alice,
                    revision=revision,
                    sections={self.section_results.pk: text},
                )
                outcomes[text] = "saved"
            except ReportConflict:
                outcomes[text] = "conflict"
            except Exception as error:  # reported by the assertion below
                outcomes[text] = repr(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(text,)) for text in ("Anh", "Bình")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        self.assertEqual(sorted(outcomes.values()), ["conflict", "saved"], outcomes)
        winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
        self.assertEqual(self.report.section_texts.get().text, winner)
        self.report.refresh_from_db()
        self.assertEqual(self.report.revision, revision + 1)
