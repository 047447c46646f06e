from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from palermo.accounts import access
from palermo.accounts.models import Membership, Organisation, OrganisationType, User
from palermo.geo.models import Country


class OrganisationOutputSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country_id", allow_null=True, help_text="ISO alpha-2")

    class Meta:
        model = Organisation
        fields = ["id", "name", "acronym", "type", "country", "is_host", "is_active"]
        read_only_fields = fields


class OrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    acronym = serializers.CharField(max_length=30)
    type = serializers.ChoiceField(choices=OrganisationType.choices)
    country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(),
        allow_null=True,
        required=False,
        help_text="ISO 3166-1 alpha-2 code, or null for an international organisation.",
    )
    is_host = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationOutputSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()
    two_factor_enabled = serializers.BooleanField()
    two_factor_required = serializers.BooleanField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "memberships",
            "two_factor_enabled",
            "two_factor_required",
        ]
        read_only_fields = fields

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: User) -> Any:
        return MembershipSerializer(access.memberships_of(user), many=True).data
