"""/customers: create, retrieve, list, and their validation."""

from __future__ import annotations

from helpers import HAL, assert_dwolla_error, assert_link


def test_create_customer_answers_201_with_location_and_no_body(api):
    response = api.post(
        "/customers", {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com"}
    )
    assert response.status_code == 201
    assert response.headers["location"].startswith("http://testserver/customers/")
    assert response.content == b""


def test_created_customer_is_returned_as_unverified(api):
    created = api.post(
        "/customers", {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com"}
    )
    response = api.get(created.headers["location"])
    assert response.status_code == 200
    body = response.json()
    assert body["firstName"] == "Ann"
    assert body["lastName"] == "Lee"
    assert body["email"] == "ann@example.com"
    assert body["type"] == "unverified"
    assert body["status"] == "unverified"
    assert body["created"].endswith("Z")
    assert_link(body["_links"]["self"], created.headers["location"], "customer")


def test_create_customer_accepts_plain_json_content_type(api):
    response = api.client.post(
        "/customers",
        json={"firstName": "Ann", "lastName": "Lee", "email": "plain@example.com"},
        headers={**api.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201


def test_create_customer_lists_every_missing_field_by_path(api):
    body = assert_dwolla_error(api.post("/customers", {}), 400, "ValidationError")
    paths = sorted(e["path"] for e in body["_embedded"]["errors"])
    assert paths == ["/email", "/firstName", "/lastName"]


def test_create_customer_rejects_wrong_types_with_paths(api):
    body = assert_dwolla_error(
        api.post("/customers", {"firstName": 5, "lastName": ["x"], "email": "a@b.co"}),
        400,
        "ValidationError",
    )
    assert {e["path"] for e in body["_embedded"]["errors"]} == {"/firstName", "/lastName"}


def test_create_customer_rejects_invalid_email(api):
    body = assert_dwolla_error(
        api.post("/customers", {"firstName": "A", "lastName": "B", "email": "not-an-email"}),
        400,
        "ValidationError",
    )
    assert body["_embedded"]["errors"][0]["path"] == "/email"


def test_create_customer_rejects_unsupported_type(api):
    body = assert_dwolla_error(
        api.post(
            "/customers", {"firstName": "A", "lastName": "B", "email": "a@b.co", "type": "personal"}
        ),
        400,
        "ValidationError",
    )
    assert body["_embedded"]["errors"][0]["path"] == "/type"


def test_duplicate_email_points_at_the_existing_customer(api, customer):
    body = assert_dwolla_error(
        api.post(
            "/customers", {"firstName": "X", "lastName": "Y", "email": customer["email"].upper()}
        ),
        400,
        "ValidationError",
    )
    error = body["_embedded"]["errors"][0]
    assert error["code"] == "Duplicate"
    assert error["path"] == "/email"
    assert error["_links"]["about"]["href"] == customer["_links"]["self"]["href"]


def test_same_email_is_allowed_in_another_account(api, api_for, make_account, customer):
    other = api_for(make_account("Other"))
    response = other.post(
        "/customers", {"firstName": "A", "lastName": "B", "email": customer["email"]}
    )
    assert response.status_code == 201


def test_get_customer_of_another_account_is_forbidden(api_for, make_account, customer):
    other = api_for(make_account("Other"))
    assert_dwolla_error(other.get(f"/customers/{customer['id']}"), 403, "forbidden")


def test_get_unknown_customer_is_not_found(api):
    assert_dwolla_error(api.get("/customers/4a9e5c2e-1111-4bbb-8ccc-000000000000"), 404, "NotFound")


def test_list_customers_pages_newest_first(api):
    emails = [api.create_customer()["email"] for _ in range(5)]
    first = api.get("/customers", params={"limit": 2}).json()
    assert first["total"] == 5
    assert [c["email"] for c in first["_embedded"]["customers"]] == emails[::-1][:2]
    assert first["_links"]["next"]["href"] == "http://testserver/customers?limit=2&offset=2"
    assert "prev" not in first["_links"]
    last = api.get("/customers", params={"limit": 2, "offset": 4}).json()
    assert [c["email"] for c in last["_embedded"]["customers"]] == emails[:1]
    assert "next" not in last["_links"]


def test_list_customers_shows_only_the_accounts_own(api, api_for, make_account, customer):
    other = api_for(make_account("Other"))
    other.create_customer()
    listed = api.get("/customers").json()
    assert [c["id"] for c in listed["_embedded"]["customers"]] == [customer["id"]]


def test_list_customers_rejects_bad_paging(api):
    body = assert_dwolla_error(
        api.get("/customers", params={"limit": "0", "offset": "-1"}), 400, "ValidationError"
    )
    assert {e["path"] for e in body["_embedded"]["errors"]} == {"/limit", "/offset"}


def test_customers_response_uses_dwolla_media_type(api):
    assert api.get("/customers").headers["content-type"] == HAL
