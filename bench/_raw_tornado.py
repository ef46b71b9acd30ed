"""Baseline for bench/http.py: a bare Tornado app answering /hello with the hello project's body."""

import asyncio
import sys

import tornado.web

BODY = "Hello World, This is hostray generate hello component"


class Hello(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write(BODY)


async def main(port: int) -> None:
    app = tornado.web.Application([(r"/hello", Hello)])
    app.listen(port, address="127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
