"""The customer conversation, framework independent: `Incoming` in, `Outcome` out (`handlers.app.ShopApp`).

Strings shown to users come from the gettext catalogs in `handlers/locale/<lang>/LC_MESSAGES/shopbot.po`,
compiled in memory at first use. After adding or changing a string:

    pybabel extract -o /tmp/shopbot.pot handlers
    pybabel update -i /tmp/shopbot.pot -d handlers/locale -D shopbot

then translate the new zh entries (tests/unit/test_translations.py fails until every one is).
"""
