-- One row per customer, with cleaned-up names and types.
select
    cast(customer_id as integer) as customer_id,
    first_name,
    last_name,
    first_name || ' ' || last_name as full_name,
    lower(email) as email,
    upper(country) as country_code,
    cast(signup_date as date) as signup_date
from {{ source('bronze', 'raw_customers') }}
