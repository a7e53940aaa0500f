from django.core.management.base import BaseCommand

from soket.demo import data
from soket.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load (or bring back) the Lạng Sơn demo campaign. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet_logins: bool = False, **options):
        load_demo()
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu Lạng Sơn (Lạng Sơn demo loaded)."))
        if quiet_logins:
            return
        self.stdout.write(f"\nTài khoản demo — mật khẩu chung / shared password: {data.PASSWORD}")
        for username, full_name, *_ in data.USERS:
            self.stdout.write(f"  {username:<20} {full_name}")
        self.stdout.write(
            "  Mỗi công đoàn cơ sở có người báo cáo và chủ tịch duyệt, gửi báo cáo / every "
            "grassroots union has a reporter and its chair, who sends its report: "
            "cdcs.<nơi>, cdcs.<nơi>.duyet (số 1), cdcs2.<nơi>, cdcs2.<nơi>.duyet (số 2), "
            "ví dụ cdcs.dinhlap.duyet."
        )
