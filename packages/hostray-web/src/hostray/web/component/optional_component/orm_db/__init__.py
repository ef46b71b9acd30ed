"""The `orm_db` component: the project's databases through hostray-orm's pools.

`component.py` is `OrmDBComponent`. Nothing is imported here, so naming the package does not
import SQLAlchemy.
"""
