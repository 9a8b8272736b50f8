"""``flask portal import-codes``: load a provider's activation codes into a product's pool."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.core.cli_errors import exit_with_rejection
from portal.dao.monitoring import dao_get_all_products, dao_get_product
from portal.monitoring.codes import CodeImportRejected, import_activation_codes


@click.command("import-codes")
@with_appcontext
@click.option(
    "--product",
    "product_id",
    required=True,
    type=int,
    help="Id of the monitoring product (see the staff page Monitoring).",
)
@click.argument("codes_csv", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
def import_codes_command(product_id: int, codes_csv: Path) -> None:
    """Import CODES_CSV (header `code`, one code per line) into a product's pool, all or nothing.

    People on the product's waiting list are served from the new codes and emailed. See docs/monitoring.md.
    """
    product = dao_get_product(product_id)
    if product is None:
        known = ", ".join(f"{item.id} ({item.name})" for item in dao_get_all_products()) or "none yet"
        raise click.BadParameter(
            f"no monitoring product has the id {product_id}. Known products: {known}.", param_hint="--product"
        )
    try:
        report = import_activation_codes(product, codes_csv.read_bytes(), filename=codes_csv.name)
    except CodeImportRejected as rejected:
        exit_with_rejection(rejected.errors, rejected.error_count)
    click.echo(f"Imported {report.added} activation code(s) into product {product_id} ({product.name}).")
    click.echo(f"People served from the waiting list: {report.served}")
