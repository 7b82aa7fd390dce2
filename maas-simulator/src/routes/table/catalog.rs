//! Routes of the inventory MAAS serves besides machines and VM hosts: boot resources, resource
//! pools, tags, users, the version and zones.

use crate::handlers::{catalog, users};
use crate::routes::Access::{Admin, Anonymous, User};
use crate::routes::Verb::{Delete, Get, Post, Put};
use crate::routes::{Resource, op, rest};

pub(super) const BOOT_RESOURCE_HANDLER: Resource = Resource {
    name: "BootResourceHandler",
    doc: "A boot resource (image).",
    path: "boot-resources/{id}/",
    vm_host_api: false,
    actions: &[rest(
        "read",
        Get,
        User,
        "Read a boot resource and its sets.",
        catalog::boot_resource_read,
    )],
};

pub(super) const BOOT_RESOURCES_HANDLER: Resource = Resource {
    name: "BootResourcesHandler",
    doc: "The boot resources (images) MAAS can deploy.",
    path: "boot-resources/",
    vm_host_api: false,
    actions: &[
        rest(
            "read",
            Get,
            User,
            "List boot resources.\n\n:param type: Optional: synced, uploaded or generated.",
            catalog::boot_resources_list,
        ),
        op(
            "is_importing",
            Get,
            User,
            "Whether images are being imported (never, here).",
            catalog::boot_resources_is_importing,
        ),
    ],
};

pub(super) const RESOURCE_POOL_HANDLER: Resource = Resource {
    name: "ResourcePoolHandler",
    doc: "One resource pool, identified by id.",
    path: "resourcepool/{id}/",
    vm_host_api: false,
    actions: &[
        rest(
            "delete",
            Delete,
            Admin,
            "Delete the pool (not the default one).",
            catalog::pool_delete,
        ),
        rest("read", Get, User, "Read the pool.", catalog::pool_read),
        rest(
            "update",
            Put,
            Admin,
            "Update the pool: name, description.",
            catalog::pool_update,
        ),
    ],
};

pub(super) const RESOURCE_POOLS_HANDLER: Resource = Resource {
    name: "ResourcePoolsHandler",
    doc: "The resource pools.",
    path: "resourcepools/",
    vm_host_api: false,
    actions: &[
        rest(
            "create",
            Post,
            Admin,
            "Create a pool.\n\n:param name: Name.\n:param description: Description.",
            catalog::pool_create,
        ),
        rest("read", Get, User, "List pools.", catalog::pools_list),
    ],
};

pub(super) const TAG_HANDLER: Resource = Resource {
    name: "TagHandler",
    doc: "One tag, identified by name.",
    path: "tags/{name}/",
    vm_host_api: false,
    actions: &[
        rest(
            "delete",
            Delete,
            Admin,
            "Delete the tag.",
            catalog::tag_delete,
        ),
        op(
            "machines",
            Get,
            User,
            "Machines carrying the tag.",
            catalog::tag_machines,
        ),
        rest("read", Get, User, "Read the tag.", catalog::tag_read),
        rest(
            "update",
            Put,
            Admin,
            "Update the tag: name, comment, kernel_opts.",
            catalog::tag_update,
        ),
        op(
            "update_nodes",
            Post,
            Admin,
            "Add or remove the tag on machines.\n\n:param add: System ids.\n:param remove: System ids.",
            catalog::tag_update_nodes,
        ),
    ],
};

pub(super) const TAGS_HANDLER: Resource = Resource {
    name: "TagsHandler",
    doc: "The tags.",
    path: "tags/",
    vm_host_api: false,
    actions: &[
        rest(
            "create",
            Post,
            Admin,
            "Create a tag.\n\n:param name: Name.\n:param comment: Comment.\n:param definition: XPath (stored only).\n:param kernel_opts: Kernel options.",
            catalog::tag_create,
        ),
        rest("read", Get, User, "List tags.", catalog::tags_list),
    ],
};

pub(super) const USER_HANDLER: Resource = Resource {
    name: "UserHandler",
    doc: "One user, identified by username.",
    path: "users/{username}/",
    vm_host_api: false,
    actions: &[rest("read", Get, User, "Read a user.", users::user_read)],
};

pub(super) const USERS_HANDLER: Resource = Resource {
    name: "UsersHandler",
    doc: "The users.",
    path: "users/",
    vm_host_api: false,
    actions: &[
        rest("read", Get, User, "List users.", users::users_list),
        op(
            "whoami",
            Get,
            User,
            "The user making the request.",
            users::whoami,
        ),
    ],
};

pub(super) const VERSION_HANDLER: Resource = Resource {
    name: "VersionHandler",
    doc: "Version and capabilities of this MAAS.",
    path: "version/",
    vm_host_api: false,
    actions: &[rest(
        "read",
        Get,
        Anonymous,
        "Read the version and capabilities.",
        users::version,
    )],
};

pub(super) const ZONE_HANDLER: Resource = Resource {
    name: "ZoneHandler",
    doc: "One availability zone, identified by name.",
    path: "zones/{name}/",
    vm_host_api: false,
    actions: &[
        rest(
            "delete",
            Delete,
            Admin,
            "Delete the zone (not the default one).",
            catalog::zone_delete,
        ),
        rest("read", Get, User, "Read the zone.", catalog::zone_read),
        rest(
            "update",
            Put,
            Admin,
            "Update the zone: name, description.",
            catalog::zone_update,
        ),
    ],
};

pub(super) const ZONES_HANDLER: Resource = Resource {
    name: "ZonesHandler",
    doc: "The availability zones.",
    path: "zones/",
    vm_host_api: false,
    actions: &[
        rest(
            "create",
            Post,
            Admin,
            "Create a zone.\n\n:param name: Name.\n:param description: Description.",
            catalog::zone_create,
        ),
        rest("read", Get, User, "List zones.", catalog::zones_list),
    ],
};
