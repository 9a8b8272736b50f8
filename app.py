from portal import create_app

app = create_app()
if app.config["PORTAL_ENV"] != "production":
    # `flask dev …` (demo data, benchmarks) comes from the checkout's tools/, which the product package
    # never imports and production never loads: there `flask --help` lists only an operator's commands.
    from tools.cli import dev_cli

    app.cli.add_command(dev_cli)
