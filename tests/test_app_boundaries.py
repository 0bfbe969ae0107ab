"""Apps use each other only through their public surface: a small AST check over the project.

What counts (the rule, precisely):
- An app is a project entry of INSTALLED_APPS (`driftwood.accounts`, `driftwood.notifications`,
  `tournaments`, `wallet`, `social`, `chat`, ...). A module belongs to the app whose package
  holds it.
- A module may import from another app only:
  * `<app>.services` or `<app>.selectors` (modules or packages, and anything under them):
    every write and every read another app needs;
  * `<app>.exceptions`: the typed errors those services raise, for callers to catch;
  * `<app>.models`, model classes by name only (`from wallet.models import Wallet`): for foreign
    keys, type hints, `isinstance` and choices (`Event.Status.ONGOING`). Never a query through
    them (`.objects`, `._default_manager`, `._base_manager`: ask a selector or a service) and
    never another name from a models module (a constant or a helper).
  The user model (`AUTH_USER_MODEL`) is the one model every app may query: every app's rows
  hang off players, and Django hands it to all of them (`get_user_model()`).
- `driftwood.core` is the shared kernel: any app may import any of its modules (core itself
  obeys the rule towards the apps).
- Not checked as importers: the project's wiring modules outside any app (`driftwood.settings`,
  `urls`, `asgi`, `routing`, `celery`, ...), which connect apps by design, and `driftwood.dev`,
  the development doubles and demo data, which plug into apps' internals as tests do.
- Imports inside functions count, and so do `if TYPE_CHECKING:` ones.

An import that must break the rule goes in ALLOWED with the reason (empty today); an entry that
no longer matches any import fails the suite, so the list only shrinks.
"""

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("driftwood", "tournaments", "wallet", "social", "chat", "integrations")
KERNEL = "driftwood.core"
UNCHECKED_APPS = ("driftwood.dev",)
PUBLIC_PACKAGES = ("services", "selectors", "exceptions")
MANAGERS = ("objects", "_default_manager", "_base_manager")

# An import that breaks the rule for a reason stated here: (importer, target) -> why.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Violation:
    importer: str
    line: int
    target: str
    why: str

    def __str__(self) -> str:
        return f"{self.importer} line {self.line}: {self.target} ({self.why})"


@dataclass(frozen=True)
class Project:
    """What the check needs to know about the code base."""

    modules: frozenset[str]
    apps: tuple[str, ...]
    kernel: str
    unchecked_apps: tuple[str, ...]
    model_classes: dict[str, frozenset[str]]  # models module -> its model class names
    queryable: frozenset[str]  # "module.ModelName" anyone may query

    def app_of(self, module: str) -> str | None:
        owners = [app for app in self.apps if module == app or module.startswith(app + ".")]
        return max(owners, key=len, default=None)

    def models_named(self, models_module: str) -> frozenset[str]:
        return frozenset().union(
            *(names for module, names in self.model_classes.items() if f"{module}.".startswith(f"{models_module}."))
        )


def _imports(importer: str, is_package: bool, tree: ast.AST, project: Project):
    """(line, module, names) for every import; `names` empty for `import x.y`."""
    package = importer if is_package else importer.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = []
            for alias in node.names:
                if f"{base}.{alias.name}" in project.modules:
                    yield node.lineno, f"{base}.{alias.name}", []  # a submodule, imported whole
                else:
                    names.append(alias)
            if names:
                yield node.lineno, base, names


def check_module(importer: str, source: str, project: Project, *, is_package: bool = False) -> list[Violation]:
    """Every import (and query) of `importer` that reaches past another app's public surface."""
    own_app = project.app_of(importer)
    if own_app is None or own_app in project.unchecked_apps:
        return []
    tree = ast.parse(source)
    violations = []
    foreign_models: dict[str, str] = {}  # local name -> "module.ModelName", for the query check
    for line, module, names in _imports(importer, is_package, tree, project):
        app = project.app_of(module)
        if app is None or app in (own_app, project.kernel):
            continue
        inside = module[len(app) + 1 :].split(".")[0]
        if inside in PUBLIC_PACKAGES:
            continue
        if inside != "models":
            violations.append(Violation(importer, line, module, f"not {app}'s services, selectors or exceptions"))
            continue
        if not names:
            violations.append(Violation(importer, line, module, "import the model classes by name"))
        for alias in names:
            if alias.name in project.models_named(module):
                foreign_models[alias.asname or alias.name] = f"{module}.{alias.name}"
            else:
                violations.append(Violation(importer, line, f"{module}.{alias.name}", "not a model class"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in foreign_models
            and foreign_models[node.value.id] not in project.queryable
        ):
            target = f"{foreign_models[node.value.id]}.{node.attr}"
            violations.append(Violation(importer, node.lineno, target, "a query through another app's model"))
    return sorted(violations, key=lambda violation: violation.line)


def _module_name(path: Path) -> tuple[str, bool]:
    parts = path.relative_to(BASE_DIR).with_suffix("").parts
    return (".".join(parts[:-1]), True) if parts[-1] == "__init__" else (".".join(parts), False)


def project_sources() -> dict[str, tuple[Path, bool]]:
    sources = {}
    for package in PROJECT_PACKAGES:
        for path in (BASE_DIR / package).rglob("*.py"):
            if "migrations" not in path.relative_to(BASE_DIR).parts:
                name, is_package = _module_name(path)
                sources[name] = (path, is_package)
    return sources


def the_project(sources) -> Project:
    model_classes: dict[str, set[str]] = {}
    for model in apps.get_models():
        model_classes.setdefault(model.__module__, set()).add(model.__name__)
    user = get_user_model()
    return Project(
        modules=frozenset(sources),
        apps=tuple(config.name for config in apps.get_app_configs() if config.name.startswith(PROJECT_PACKAGES)),
        kernel=KERNEL,
        unchecked_apps=UNCHECKED_APPS,
        model_classes={module: frozenset(names) for module, names in model_classes.items()},
        queryable=frozenset({f"{user.__module__}.{user.__name__}"}),
    )


def project_violations() -> list[Violation]:
    sources = project_sources()
    project = the_project(sources)
    return [
        violation
        for module, (path, is_package) in sorted(sources.items())
        for violation in check_module(module, path.read_text(), project, is_package=is_package)
    ]


def test_apps_reach_each_other_only_through_their_public_surface():
    violations = project_violations()

    forbidden = [violation for violation in violations if (violation.importer, violation.target) not in ALLOWED]

    assert len(project_sources()) > 150, "the check should see every project module"
    assert not forbidden, "imports past another app's public surface:\n" + "\n".join(map(str, forbidden))


def test_every_allowed_import_still_exists():
    found = {(violation.importer, violation.target) for violation in project_violations()}

    stale = sorted(set(ALLOWED) - found)

    assert not stale, "ALLOWED entries that no longer match any import (delete them):\n" + "\n".join(
        f"{importer} -> {target}" for importer, target in stale
    )


# --- The check itself, on made-up modules

FAKE = Project(
    modules=frozenset(
        {
            "shop",
            "shop.models",
            "shop.services",
            "shop.services.orders",
            "shop.selectors",
            "shop.exceptions",
            "shop.tasks",
            "shop.internal",
            "bank",
            "bank.models",
            "bank.views",
            "bank.services",
            "core",
            "core.money",
            "project_urls",
            "dev",
            "dev.fakes",
        }
    ),
    apps=("shop", "bank", "core", "dev"),
    kernel="core",
    unchecked_apps=("dev",),
    model_classes={"shop.models": frozenset({"Order", "Customer"}), "bank.models": frozenset({"Account"})},
    queryable=frozenset({"shop.models.Customer"}),
)


def fake_check(importer: str, source: str, *, is_package: bool = False) -> list[str]:
    violations = check_module(importer, textwrap.dedent(source), FAKE, is_package=is_package)
    return [str(violation) for violation in violations]


def test_imports_past_another_apps_public_surface_are_each_named():
    # given a module of one app that reaches into another's internals in every forbidden way
    source = """
        from shop import internal
        from shop.tasks import send_receipt
        import shop.internal
        from shop.models import Order, ORDER_PREFIX
        from shop import models

        def pay(order_id):
            from shop.internal import helper
            return Order.objects.get(pk=order_id), Order._default_manager.count()
    """

    # when it is checked
    violations = fake_check("bank.views", source)

    # then each import and each query through the other app's model is named, with its line
    assert violations == [
        "bank.views line 2: shop.internal (not shop's services, selectors or exceptions)",
        "bank.views line 3: shop.tasks (not shop's services, selectors or exceptions)",
        "bank.views line 4: shop.internal (not shop's services, selectors or exceptions)",
        "bank.views line 5: shop.models.ORDER_PREFIX (not a model class)",
        "bank.views line 6: shop.models (import the model classes by name)",
        "bank.views line 9: shop.internal (not shop's services, selectors or exceptions)",
        "bank.views line 10: shop.models.Order.objects (a query through another app's model)",
        "bank.views line 10: shop.models.Order._default_manager (a query through another app's model)",
    ]


def test_the_public_surface_its_own_app_the_kernel_and_wiring_pass():
    # given imports through services, selectors, exceptions and model classes (used as types and
    # choices), of the module's own app, of the kernel, and the user model queried
    source = """
        from typing import TYPE_CHECKING
        from shop import selectors, services
        from shop.services.orders import order_place
        from shop.exceptions import OutOfStock
        from shop.models import Order, Customer as Buyer
        from core.money import format_money
        from bank.models import Account
        from . import services as own_services

        if TYPE_CHECKING:
            from shop.selectors import orders_of

        def pay(order: Order) -> bool:
            Account.objects.all()
            Buyer.objects.filter(pk=order.customer_id)
            return order.status == Order.Status.PAID and isinstance(order, Order)
    """

    assert fake_check("bank.views", source) == []
    # wiring outside any app and the development doubles are not checked
    assert fake_check("project_urls", "from shop.internal import x\n") == []
    assert fake_check("dev.fakes", "from shop.tasks import send_receipt\n") == []


def test_relative_imports_are_resolved_before_they_are_judged():
    assert fake_check("bank", "from .views import x\nfrom .models import Account\n", is_package=True) == []
    assert fake_check("bank.views", "from ..shop.internal import helper\n") == [
        "bank.views line 1: shop.internal (not shop's services, selectors or exceptions)"
    ]


def test_every_allowed_import_says_why():
    assert all(len(why) > 20 for why in ALLOWED.values())
