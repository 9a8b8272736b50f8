"""``python -m tools.bench web|data|all [options]`` (``make bench`` runs ``all``)."""

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("which", choices=("web", "data", "all"), nargs="?", default="all")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--people", type=int, help="register size (default 200,000; --large: 1,000,000)")
    parser.add_argument("--large", action="store_true", help="1,000,000 people for the import and export")
    parser.add_argument("--web-people", type=int, default=200_000, help="register size for bench-web")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (runs) whose medians are reported")
    args = parser.parse_args()
    os.environ.setdefault("PORTAL_ENV", "testing")
    if args.which in ("data", "all"):
        from tools.bench import data

        data.main(args.people or (1_000_000 if args.large else 200_000), args.database, args.rounds)
    if args.which in ("web", "all"):
        from tools.bench import web

        web.main(args.web_people, args.database, args.connections, args.rounds)


if __name__ == "__main__":
    main()
