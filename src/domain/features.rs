//! The feature-control catalogue (O22/O23) seeded into every organization, all enabled.

/// One control: snake_case name, English label, description, tags and warning.
pub struct Control {
    pub name: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub tags: &'static [&'static str],
    pub warning: &'static str,
}

pub static CATALOGUE: &[Control] = &[
    Control {
        name: "make_ai_tools",
        label: "Make AI Tools",
        description: "Built-in AI modules for text, classification and extraction in scenarios.",
        tags: &["ai", "tools"],
        warning: "Turning this off stops scenarios that use AI Tools modules.",
    },
    Control {
        name: "make_ai_agents",
        label: "Make AI Agents",
        description: "Agents that plan and run scenarios as tools.",
        tags: &["ai", "agents"],
        warning: "Turning this off disables every agent of the organization.",
    },
    Control {
        name: "make_code",
        label: "Make Code App",
        description: "Running JavaScript and Python code inside scenarios.",
        tags: &["code"],
        warning: "Scenarios with code modules will fail while this is off.",
    },
    Control {
        name: "custom_functions",
        label: "Custom functions",
        description: "Organization-defined functions usable in mappings.",
        tags: &["functions"],
        warning: "Mappings that call custom functions will fail while this is off.",
    },
    Control {
        name: "mcp_server",
        label: "Make MCP Server",
        description: "Exposing scenarios to AI clients through the Model Context Protocol.",
        tags: &["ai", "mcp"],
        warning: "Connected MCP clients lose access to the organization's scenarios.",
    },
    Control {
        name: "public_templates",
        label: "Public templates",
        description: "Creating scenarios from Make's public template gallery.",
        tags: &["templates"],
        warning: "Members can no longer start from public templates.",
    },
];

pub fn by_name(name: &str) -> Option<&'static Control> {
    CATALOGUE.iter().find(|c| c.name == name)
}
