/* test_list.c -- the one list idiom (src/common/list.h): order at both
 * ends, O(1) removal from anywhere, removal while walking, and the linked
 * flag. */
#include <stddef.h>

#include "list.h"
#include "tap.h"

struct item {
	int v;
	struct list_node link;
};

/* The values on the list, first to last, as digits of one number. */
static long digits(struct list_node *head)
{
	long out = 0;
	struct list_node *n;
	LIST_EACH(n, head)
		out = out * 10 + LIST_ELEM(n, struct item, link)->v;
	return out;
}

static void test_order_and_remove(void)
{
	struct list_node head = LIST_HEAD_INIT(head);
	struct item it[5];
	CHECK(list_empty(&head));
	CHECK(list_first(&head) == NULL);
	CHECK(list_pop_front(&head) == NULL);
	for (int i = 0; i < 5; i++) {
		it[i].v = i + 1;
		list_init(&it[i].link);
		CHECK(!list_linked(&it[i].link));
	}
	list_push_back(&head, &it[1].link);
	list_push_back(&head, &it[2].link);
	list_push_front(&head, &it[0].link);
	list_push_back(&head, &it[3].link);
	list_push_back(&head, &it[4].link);
	CHECK_EQ_INT(digits(&head), 12345);
	CHECK(list_linked(&it[2].link));

	list_remove(&it[2].link); /* middle */
	CHECK(!list_linked(&it[2].link));
	list_remove(&it[2].link); /* again: harmless */
	list_remove(&it[4].link); /* last */
	CHECK_EQ_INT(digits(&head), 124);
	struct list_node *n = list_pop_front(&head);
	CHECK(n == &it[0].link && !list_linked(n));
	CHECK_EQ_INT(digits(&head), 24);
	CHECK(LIST_ELEM(list_first(&head), struct item, link) == &it[1]);
}

static void test_remove_while_walking(void)
{
	struct list_node head;
	list_init(&head);
	struct item it[6];
	for (int i = 0; i < 6; i++) {
		it[i].v = i;
		list_push_back(&head, &it[i].link);
	}
	struct list_node *n, *tmp;
	LIST_EACH_SAFE(n, tmp, &head) {
		if (LIST_ELEM(n, struct item, link)->v % 2)
			list_remove(n);
	}
	CHECK_EQ_INT(digits(&head), 24); /* 0, 2, 4 */
	LIST_EACH_SAFE(n, tmp, &head)
		list_remove(n);
	CHECK(list_empty(&head));
}

int main(void)
{
	test_order_and_remove();
	test_remove_while_walking();
	return tap_done();
}
