"""The aiohttp server of `shopbot run`: webhook routes are mounted here, next to the ops routes."""
