"""`client.store.*` against a real server: put/get/search/delete/list_namespaces, and clear 4xx errors."""

from __future__ import annotations

import uuid

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import NotFoundError, UnprocessableEntityError


@pytest.fixture
def root() -> str:
    """A namespace root of this test's own: the module's server is shared."""
    return f"t{uuid.uuid4().hex[:12]}"


async def test_put_then_get_returns_the_item_and_a_put_replaces_it(client: LangGraphClient, root: str) -> None:
    await client.store.put_item([root, "docs"], key="intro", value={"title": "Attention", "pages": 3})
    item = await client.store.get_item([root, "docs"], key="intro")
    assert item["namespace"] == [root, "docs"] and item["key"] == "intro"
    assert item["value"] == {"title": "Attention", "pages": 3}
    assert str(item["created_at"]).endswith("+00:00") and str(item["updated_at"]).endswith("+00:00")
    await client.store.put_item([root, "docs"], key="intro", value={"title": "Attention", "pages": 4})
    again = await client.store.get_item([root, "docs"], key="intro")
    assert again["value"]["pages"] == 4 and again["created_at"] == item["created_at"]


async def test_search_by_prefix_filter_and_query(client: LangGraphClient, root: str) -> None:
    await client.store.put_item([root, "ada", "notes"], key="a", value={"topic": "attention", "level": 1})
    await client.store.put_item([root, "ada", "notes"], key="b", value={"topic": "top-p sampling", "level": 3})
    await client.store.put_item([root, "bob", "notes"], key="c", value={"topic": "attention heads", "level": 2})

    everything = await client.store.search_items([root], limit=10)
    assert sorted(i["key"] for i in everything["items"]) == ["a", "b", "c"]
    ada = await client.store.search_items([root, "ada"])
    assert sorted(i["key"] for i in ada["items"]) == ["a", "b"]
    assert all(i["namespace"] == [root, "ada", "notes"] for i in ada["items"])

    exact = await client.store.search_items([root], filter={"level": 2})
    assert [i["key"] for i in exact["items"]] == ["c"]
    at_least_two = await client.store.search_items([root], filter={"level": {"$gte": 2}})
    assert sorted(i["key"] for i in at_least_two["items"]) == ["b", "c"]

    words = await client.store.search_items([root], query="Attention HEADS")
    assert [i["key"] for i in words["items"]] == ["c"]
    attention = await client.store.search_items([root], query="attention")
    assert sorted(i["key"] for i in attention["items"]) == ["a", "c"]

    first = await client.store.search_items([root], limit=2)
    rest = await client.store.search_items([root], limit=2, offset=2)
    assert len(first["items"]) == 2 and len(rest["items"]) == 1
    assert {i["key"] for i in first["items"] + rest["items"]} == {"a", "b", "c"}


async def test_list_namespaces_with_prefix_suffix_and_depth(client: LangGraphClient, root: str) -> None:
    await client.store.put_item([root, "ada", "progress"], key="k", value={"x": 1})
    await client.store.put_item([root, "ada", "notes"], key="k", value={"x": 1})
    await client.store.put_item([root, "bob", "progress"], key="k", value={"x": 1})
    listed = await client.store.list_namespaces(prefix=[root])
    assert sorted(map(tuple, listed["namespaces"])) == [
        (root, "ada", "notes"), (root, "ada", "progress"), (root, "bob", "progress"),
    ]
    progress = await client.store.list_namespaces(prefix=[root], suffix=["progress"])
    assert sorted(map(tuple, progress["namespaces"])) == [(root, "ada", "progress"), (root, "bob", "progress")]
    shallow = await client.store.list_namespaces(prefix=[root], max_depth=2)
    assert sorted(map(tuple, shallow["namespaces"])) == [(root, "ada"), (root, "bob")]


async def test_delete_removes_the_item_and_missing_items_are_404(client: LangGraphClient, root: str) -> None:
    await client.store.put_item([root], key="gone", value={"v": 1})
    await client.store.delete_item([root], key="gone")
    with pytest.raises(NotFoundError, match="gone"):
        await client.store.get_item([root], key="gone")
    with pytest.raises(NotFoundError):
        await client.store.delete_item([root], key="gone")
    assert (await client.store.search_items([root]))["items"] == []


async def test_bad_namespace_key_and_filter_are_422_naming_the_field(client: LangGraphClient, api_url: str) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.store.put_item(["langgraph"], key="k", value={"v": 1})
    assert caught.value.response.json()["error"]["fields"][0]["field"] == "namespace"
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.store.put_item(["ok"], key="", value={"v": 1})
    assert caught.value.response.json()["error"]["fields"][0]["field"] == "key"
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.store.search_items(["ok"], filter={"level": {"$like": 1}})
    assert caught.value.response.json()["error"]["fields"][0]["field"] == "filter"
    async with httpx.AsyncClient(base_url=api_url) as http:  # the SDK refuses '.' itself; the server must too
        put = await http.put("/store/items", json={"namespace": ["a.b"], "key": "k", "value": {}})
        assert put.status_code == 422 and put.json()["error"]["fields"][0]["field"] == "namespace"
        get = await http.get("/store/items", params={"namespace": "", "key": "k"})
        assert get.status_code == 422 and get.json()["error"]["fields"][0]["field"] == "namespace"
        not_object = await http.put("/store/items", json={"namespace": ["a"], "key": "k", "value": [1]})
        assert not_object.status_code == 422 and not_object.json()["error"]["fields"][0]["field"] == "value"
        for value in ({"s": "a\x00b"}, {"n": 10**30}):  # neither store can hold these
            bad = await http.put("/store/items", json={"namespace": ["a"], "key": "k", "value": value})
            assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "value"
        no_ttl = await http.put("/store/items", json={"namespace": ["a"], "key": "k", "value": {}, "ttl": 0})
        assert no_ttl.status_code == 422 and no_ttl.json()["error"]["fields"][0]["field"] == "ttl"
