"""Baseline for bench/http.py: a bare Tornado app answering /hello with the hello project's body.

Its handler is the seed's plain-Tornado hello handler (an `async def get`, as the hello project's
controllers are), minus the component lookup: what remains between the two is the framework.
"""

import asyncio
import sys

import tornado.web

BODY = "Hello World, This is hostray generate hello component"


class Hello(tornado.web.RequestHandler):
    async def get(self) -> None:
        self.write(BODY)


async def main(port: int) -> None:
    app = tornado.web.Application([(r"/hello", Hello)])
    app.listen(port, address="127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
